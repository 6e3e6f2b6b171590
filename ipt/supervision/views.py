"""Supervision: the caseload review, course review, feedback and session ratings.

Supervisors read everything of their supervisees' courses and add feedback and ratings; they
never change the clinical record (get_course_for refuses their writes).
"""

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ipt.accounts.access import is_treating_therapist
from ipt.accounts.models import AccessEvent
from ipt.course.access import get_course_for, get_course_for_supervision
from ipt.course.models import TreatmentCourse
from ipt.supervision import caseload, fidelity, group_review
from ipt.supervision.forms import DashboardFilterForm, FeedbackForm, SessionRatingForm
from ipt.supervision.models import SessionRating, SupervisionFeedback
from sessions_app import adherence
from sessions_app.access import get_session_for, get_session_for_supervision
from sessions_app.agenda import coverage_by_area
from sessions_app.models import Homework, Session, Technique
from sessions_app.progress import course_progress, symptom_chart

DASHBOARD = "ipt/supervision/dashboard.html"
REVIEW = "ipt/supervision/review.html"
RATINGS = "ipt/supervision/ratings.html"
SELF_RATING = "ipt/supervision/self_rating.html"


# --- the caseload review -------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    label: str
    href: str
    aria_sort: str  # "ascending", "descending" or "" when the table is not sorted by it


SORTABLE = ("patient", "therapist", "phase", "session", "last", "next", "phq9", "change")


def _columns(request, current):
    columns = []
    for key in SORTABLE:
        params = request.GET.copy()
        params.pop("page", None)
        if current == key:
            params["sort"], aria = f"-{key}", "ascending"
        elif current == f"-{key}":
            params["sort"], aria = key, "descending"
        else:
            params["sort"], aria = key, ""
        columns.append(Column(key, caseload.SORTS[key][0], f"?{params.urlencode()}", aria))
    return columns


def _record_listing(request, rows, action):
    """The audit trail: one AccessEvent per patient listed, written in a single query."""
    if not rows:
        return
    path = request.get_full_path()[:500]
    ip = request.META.get("REMOTE_ADDR") or None
    AccessEvent.objects.bulk_create(
        AccessEvent(
            user=request.user,
            patient_id=row.course.patient_id,
            action=action,
            method=request.method[:10],
            path=path,
            ip_address=ip,
        )
        for row in rows
    )


def _caseload(request):
    if not request.user.is_supervisor:
        raise PermissionDenied("The caseload review is for clinical supervisors.")
    therapists = list(request.user.supervisees.order_by("first_name", "last_name", "pk"))
    form = DashboardFilterForm(request.GET, therapists=therapists)
    filters = form.filters()
    today = timezone.localdate()
    courses = caseload.courses_for(
        request.user,
        include_closed=filters["closed"],
        therapist=filters["therapist"],
        phase=filters["phase"],
        today=today,
    )
    shown = caseload.listed(caseload.with_flag(courses, filters["flag"], today), filters["sort"])
    return form, filters, courses, shown


@require_GET
@vary_on_headers("HX-Request")
def dashboard(request):
    form, filters, courses, shown = _caseload(request)
    totals = caseload.totals(courses)
    count = totals.counts[filters["flag"]] if filters["flag"] in caseload.FLAGS else totals.courses
    paginator = Paginator(shown, caseload.PAGE_SIZE)
    paginator.count = count  # known from the totals: no second count query
    page = paginator.get_page(request.GET.get("page"))
    rows = caseload.rows(page.object_list)
    _record_listing(request, rows, "caseload review")
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "shown": count,
        "totals": totals,
        "columns": _columns(request, filters["sort"]),
        "flag_label": caseload.FLAGS.get(filters["flag"], ""),
        "filtered": any(request.GET.get(k) for k in ("therapist", "phase", "flag", "closed")),
    }
    # A history restore after a cache miss needs the whole page, not the region.
    partial = request.htmx and not request.htmx.history_restore_request
    template = f"{DASHBOARD}#table" if partial else DASHBOARD
    if not partial:
        # IPT predicts interpersonal change before symptoms: the count over every course.
        context["precedence"] = caseload.precedence_counts(
            TreatmentCourse.objects.visible_to(request.user)
        )
        context["groups"] = group_review.group_rows(request.user)
        members = [m for g in context["groups"] for m in g.members]
        _record_listing(request, members, "caseload review: groups")
    return render(request, template, context)


@require_GET
def dashboard_csv(request):
    _, _, _, shown = _caseload(request)
    rows = caseload.rows(shown)
    _record_listing(request, rows, "caseload export")
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="caseload-{today:%Y-%m-%d}.csv"'
    response.write("\ufeff")  # a byte-order mark, so that Excel reads the names as UTF-8
    writer = csv.writer(response)
    writer.writerow(caseload.CSV_HEADER)
    for row in rows:
        writer.writerow([caseload.csv_safe(value) for value in caseload.csv_row(row)])
    return response


# --- one course ----------------------------------------------------------------------------------
def _review_context(request, course, form):
    prefetch_related_objects([course], "transitions")
    sessions = list(
        adherence.sessions_with_facts(course.sessions.select_related("phq9")).prefetch_related(
            "events",
            Prefetch("ratings", queryset=SessionRating.objects.select_related("rater")),
        )
    )
    for s in sessions:
        supervisor = {r.element: r.score for r in s.ratings.all() if r.rater_id == request.user.pk}
        scores = [r.score for r in s.ratings.all() if not r.by_therapist]
        s.rating_count = len(scores)
        s.rating_mean = sum(scores) / len(scores) if scores else None
        own = {r.element: r.score for r in s.ratings.all() if r.by_therapist}
        s.self_rated = bool(own)
        _, s.agreeing, s.compared = fidelity.compare(supervisor, own)
    chart, chart_rows = symptom_chart(course, sessions)
    baseline, latest = course.baseline_phq9, course.latest_phq9
    return {
        "course": course,
        "baseline_phq9": baseline,
        "latest_phq9": latest,
        "phq9_change": latest.total - baseline.total
        if latest and baseline and latest.pk != baseline.pk
        else None,
        "sessions": sessions,
        "progress": course_progress(course, sessions),
        "chart": chart,
        "chart_rows": chart_rows,
        "steps": course.initial_phase_steps(),
        "adherence": adherence.review(course, sessions),
        "strategy_coverage": coverage_by_area(course),
        "feedback": course.feedback.select_related("session", "author"),
        "form": form,
    }


@require_GET
def course_review(request, pk):
    course = get_course_for_supervision(request, pk, action="course review")
    return render(request, REVIEW, _review_context(request, course, FeedbackForm(course=course)))


@require_POST
def feedback_new(request, pk):
    course = get_course_for_supervision(request, pk, action="supervision feedback")
    form = FeedbackForm(request.POST, course=course)
    if form.is_valid():
        SupervisionFeedback.give(
            course,
            form.cleaned_data["session"],
            author=request.user,
            text=form.cleaned_data["text"],
        )
        messages.success(request, "Your feedback has been sent to the therapist.")
        return redirect(reverse("course:review", args=[course.pk]) + "#feedback")
    return render(request, REVIEW, _review_context(request, course, form))


@require_POST
def feedback_acknowledge(request, pk, feedback_pk):
    # Acknowledging feedback is not a clinical write: it stays possible on a closed course.
    course, _ = get_course_for(request, pk, action="acknowledge feedback", any_phase=True)
    feedback = get_object_or_404(course.feedback.all(), pk=feedback_pk)
    feedback.acknowledge()
    if request.htmx:
        return render(request, "ipt/course/_feedback.html", {"course": course})
    messages.success(request, "Feedback acknowledged.")
    return redirect(course.get_absolute_url() + "#feedback")


# --- one session ---------------------------------------------------------------------------------
def _record_context(session):
    """The session's record, read-only, beside the rating form."""
    return {
        "techniques": [Technique(t).label for t in session.techniques if t in Technique.values],
        "events": session.events.select_related("person"),
        "analyses": session.communication_analyses.select_related("person"),
        "homework_set": session.homework_set.select_related("person"),
        "homework_reviewed": Homework.objects.filter(reviewed_in=session).select_related("person"),
    }


def _save_rating(request, session, form, *, by_therapist):
    try:
        SessionRating.record(
            session,
            rater=request.user,
            by_therapist=by_therapist,
            ratings=form.ratings(),
            drift=form.drift(),
        )
    except ValueError as refused:
        messages.error(request, str(refused))
        return False
    return True


@require_http_methods(["GET", "POST"])
def session_ratings(request, pk):
    session = get_session_for_supervision(request, pk, action="session rating")
    course = session.course
    held = session.status == Session.Status.HELD
    existing = list(session.ratings.filter(rater=request.user, by_therapist=False))
    drift = session.drift_ratings.filter(rater=request.user, by_therapist=False).first()
    form = SessionRatingForm(
        request.POST if request.method == "POST" else None, existing=existing, drift=drift
    )
    if request.method == "POST":
        if not held:
            messages.error(request, "Only a session that was held can be rated.")
            return redirect("session_ratings", session.pk)
        if form.is_valid():
            if _save_rating(request, session, form, by_therapist=False):
                messages.success(request, f"Your ratings of session {session.number} are saved.")
            return redirect(reverse("course:review", args=[course.pk]) + "#sessions")
    mine = {r.element: r.score for r in existing}
    rows, close, both = fidelity.compare(mine, SessionRating.scores(session, by_therapist=True))
    return render(
        request,
        RATINGS,
        {
            "course": course,
            "session": session,
            "held": held,
            "form": form,
            **_record_context(session),
            "other_ratings": session.ratings.filter(by_therapist=False)
            .exclude(rater=request.user)
            .select_related("rater"),
            "comparison": rows if both else None,
            "agreeing": close,
            "compared": both,
            "self_drift": session.drift_ratings.filter(by_therapist=True).first(),
            "my_drift": drift,
        },
    )


@require_http_methods(["GET", "POST"])
def session_self_rating(request, pk):
    """The treating therapist rates their own session on the same scale, once per session,
    pre-filled from what the record shows."""
    write = request.method == "POST"
    session, can_write = get_session_for(request, pk, write=write, action="session self-rating")
    if not write and not is_treating_therapist(request.user, session.course.patient):
        raise PermissionDenied("Only the treating therapist rates their own session.")
    held = session.status == Session.Status.HELD
    existing = list(session.ratings.filter(by_therapist=True))
    drift = session.drift_ratings.filter(by_therapist=True).first()
    suggested = None if existing else fidelity.suggest(SessionRating.record_facts(session))
    form = SessionRatingForm(
        request.POST if write else None, existing=existing, drift=drift, suggested=suggested
    )
    if write:
        if not held:
            messages.error(request, "Only a session that was held can be rated.")
            return redirect("session_self_rating", session.pk)
        if form.is_valid():
            if _save_rating(request, session, form, by_therapist=True):
                messages.success(request, f"Your self-rating of session {session.number} is saved.")
            return redirect(session.get_absolute_url())
    return render(
        request,
        SELF_RATING,
        {
            "course": session.course,
            "session": session,
            "held": held,
            "can_write": can_write,
            "form": form,
            "suggested": suggested is not None,
            **_record_context(session),
        },
    )
