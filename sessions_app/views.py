"""The session page and everything done on it during the hour."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from ipt.course.access import get_course_for
from ipt.course.models import TransitionRefused, TreatmentCourse, measures_prefetch
from ipt.initial.models import ProblemArea
from ipt.measures.models import RiskAssessment
from ipt.rules import flags
from sessions_app.access import get_session_for
from sessions_app.agenda import focal_work, phase_agenda
from sessions_app.focal import focal_rows
from sessions_app.forms import (
    AddendumForm,
    MoodRatingForm,
    PlanForm,
    QuickPhq9Form,
    RescheduleForm,
    StatusForm,
    TechniquesForm,
    default_plan_initial,
)
from sessions_app.models import (
    LOCKED_MESSAGE,
    Addendum,
    CommunicationAnalysis,
    DecisionAnalysis,
    EditConflict,
    Homework,
    InterpersonalEvent,
    Session,
    SessionLocked,
    StrategyNote,
    UnsaveableText,
)
from sessions_app.selfreport.models import QuestionnaireLink
from sessions_app.watch import last_measured_before

PAGE = "sessions_app/session.html"


def missed_before(sessions, session):
    """The missed or cancelled sessions just before this one (since the last one held)."""
    run = []
    for s in sorted((s for s in sessions if s.number < session.number), key=lambda s: -s.number):
        if s.status in flags.MISSED_OR_CANCELLED:
            run.append(s)
        elif s.status == Session.Status.HELD:
            break
    return list(reversed(run))


# --- the course's sessions ---------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def course_sessions(request, pk):
    course, can_write = get_course_for(request, pk, action="sessions")
    form = PlanForm(
        request.POST or None, initial=default_plan_initial(course, course.signed_contract)
    )
    if request.method == "POST" and form.is_valid():
        created = Session.plan_course(
            course, weekday=form.cleaned_data["weekday"], at=form.cleaned_data["at"],
            start=form.cleaned_data["first_date"],
        )  # fmt: skip
        messages.success(
            request, f"{len(created)} session{'s' if len(created) != 1 else ''} planned."
        )
        return redirect("sessions_app:course_sessions", course.pk)
    return render(
        request,
        "sessions_app/course_sessions.html",
        {
            "course": course,
            "sessions": course.sessions.all(),
            "rows": _with_parent_sessions(course),
            "form": form,
            "can_write": can_write,
        },
    )


def _with_parent_sessions(course):
    """The course's sessions and, for IPT-A, its parent sessions among them in date order."""
    rows = [
        (timezone.localtime(s.scheduled_for).date(), s)
        for s in course.sessions.select_related("phq9")
    ]
    rows += [(p.held_on, p) for p in course.parent_sessions.select_related("parent")]
    return [
        row for _, row in sorted(rows, key=lambda pair: (pair[0], isinstance(pair[1], Session)))
    ]


# --- one session ---------------------------------------------------------------------------------
def for_session_page(courses):
    """What the session page shows of its course: the people, the focal areas and their
    goals, the scores and the risk record (the banner), not the whole initial-phase record."""
    return courses.select_related("patient__therapist", "suitability").prefetch_related(
        "inventory",
        "problem_areas__goals",
        "problem_areas__person",
        measures_prefetch(),
        Prefetch("risk_assessments", RiskAssessment.objects.select_related("assessed_by")),
        "sessions",
    )


def _page_context(can_write, session):
    course = for_session_page(TreatmentCourse.objects.filter(pk=session.course_id)).get()
    session.course = course
    sessions = list(course.sessions.all())
    earlier = [s for s in sessions if s.number < session.number and s.status == Session.Status.HELD]
    previous = earlier[-1] if earlier else None
    phq9s = course.phq9_responses()
    before = [
        m for m in phq9s if m.pk != session.phq9_id and m.taken_on <= session.scheduled_for.date()
    ]
    last_phq9 = before[-1] if before else None
    baseline = course.baseline_phq9
    today = session.phq9
    last_measured = last_measured_before(course, sessions, session.number)
    return {
        # Measurement-based care: the full PHQ-9 at least every PHQ9_EVERY_SESSIONS sessions.
        "phq9_due": flags.phq9_due(session.number, last_measured, settings.PHQ9_EVERY_SESSIONS),
        "last_measured": last_measured,
        # The contract's missed-session policy: talk about what got in the way.
        "missed_before": missed_before(sessions, session),
        "course": course,
        "session": session,
        "sessions": sessions,
        "previous": previous,
        "next_session": next((s for s in sessions if s.number > session.number), None),
        "baseline": baseline,
        "last_phq9": last_phq9,
        "change_since_last": today.total - last_phq9.total if today and last_phq9 else None,
        "change_since_baseline": today.total - baseline.total
        if today and baseline and baseline.pk != today.pk
        else None,
        "to_review": list(
            Homework.objects.filter(set_in=previous).select_related("person") if previous else []
        ),
        "events": session.events.select_related("person"),
        "analyses": session.communication_analyses.select_related("person"),
        "decisions": session.decision_analyses.select_related("person"),
        "homework": session.homework_set.select_related("person"),
        "addenda": session.addenda.select_related("by"),
        "stage_changes": session.dispute_stage_changes.all(),
        "people": list(course.inventory.all()),
        "areas": list(course.problem_areas.all()),
        "focal_work": focal_work(course, session),
        "agenda": phase_agenda(course, session),
        "session_ends": session.scheduled_for + timedelta(minutes=course.session_minutes),
        # A finalised session is not edited, but its treating therapist adds dated addenda.
        "can_write": can_write and not session.is_finalised,
        "can_add_addendum": can_write and session.is_finalised,
        "phq9_form": QuickPhq9Form(),
        "mood_form": MoodRatingForm(initial={"mood_rating": session.mood_rating}),
        "techniques_form": TechniquesForm(initial={"techniques": session.techniques}),
        "status_form": StatusForm(
            initial={"status": session.status, "status_note": session.status_note}
        ),
        "reschedule_form": RescheduleForm(
            initial={"scheduled_for": timezone.localtime(session.scheduled_for)}
        ),
        "addendum_form": AddendumForm(),
        "dispute_stages": ProblemArea.DisputeStage.choices,
        "questionnaire": QuestionnaireLink.on_page(session),
        "focal_rating_rows": focal_rows(session),
    }


def session_detail(request, pk):
    session, can_write = get_session_for(request, pk)
    return render(request, PAGE, _page_context(can_write, session))


def _section(request, session, can_write, partial, **extra):
    """Answer an htmx action with the changed section; a plain POST goes back to the page."""
    if request.htmx:
        context = _page_context(can_write, session) | extra
        return render(request, f"{PAGE}#{partial}", context)
    return redirect(session)


def _refuse_if_finalised(request, session):
    if session.is_finalised:
        messages.error(request, LOCKED_MESSAGE)
        if request.htmx:
            # A tab opened before finalising: reload it as the locked page with this message.
            # (htmx would follow a redirect and swap the whole page into the section.)
            return HttpResponseClientRefresh()
        return redirect(session)
    return None


def _status_answer(request, session, can_write, *, saved="", refused=(), form=None):
    """The session's status region for htmx (the page is not reloaded: whatever is typed below
    stays); a plain POST gets the message and goes back to the page."""
    if request.htmx:
        extra = {"status_open": True, "status_message": saved, "status_refused": list(refused)}
        if form is not None:
            extra["status_form"] = form
        return _section(request, session, can_write, "status", **extra)
    if saved:
        messages.success(request, saved)
    for reason in refused:
        messages.error(request, reason)
    return redirect(session)


@require_POST
def set_status(request, pk):
    session, can_write = get_session_for(request, pk, action="session status")
    if refused := _refuse_if_finalised(request, session):
        return refused
    form = StatusForm(request.POST)
    if not form.is_valid():
        errors = [] if request.htmx else [e for errs in form.errors.values() for e in errs]
        return _status_answer(request, session, can_write, refused=errors, form=form)
    try:
        session.set_status(form.cleaned_data["status"], form.cleaned_data["status_note"])
    except TransitionRefused as refused:
        session.refresh_from_db()
        return _status_answer(request, session, can_write, refused=refused.reasons, form=form)
    except SessionLocked:
        return _refuse_if_finalised(request, Session.objects.get(pk=session.pk))
    saved = f"{session.label} marked as {session.get_status_display().lower()}."
    return _status_answer(request, session, can_write, saved=saved)


@require_POST
def reschedule(request, pk):
    session, can_write = get_session_for(request, pk, action="reschedule session")
    if refused := _refuse_if_finalised(request, session):
        return refused
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _status_answer(request, session, can_write, refused=["Give the new date and time."])
    try:
        session.reschedule(form.cleaned_data["scheduled_for"])
    except SessionLocked:
        return _refuse_if_finalised(request, Session.objects.get(pk=session.pk))
    when = f"{timezone.localtime(session.scheduled_for):%a %-d %b %H:%M}"
    return _status_answer(request, session, can_write, saved=f"{session.label} moved to {when}.")


@require_POST
def record_phq9(request, pk):
    session, can_write = get_session_for(request, pk, action="PHQ-9")
    if refused := _refuse_if_finalised(request, session):
        return refused
    form = QuickPhq9Form(request.POST)
    if form.is_valid():
        try:
            session.record_phq9(
                form.answers, difficulty=form.cleaned_data.get("difficulty"), by=request.user
            )
        except TransitionRefused:
            session.refresh_from_db(fields=["phq9"])  # the one already recorded is shown
        return _section(request, session, can_write, "mood")
    # The typed digits stay in the form, with "0–3" next to each one to correct.
    context = _page_context(can_write, session) | {"phq9_form": form}
    if request.htmx:
        return render(request, f"{PAGE}#mood", context)
    messages.error(request, "Each PHQ-9 item needs a score from 0 to 3.")
    return render(request, PAGE, context)


@require_POST
def record_mood(request, pk):
    session, can_write = get_session_for(request, pk, action="mood rating")
    if refused := _refuse_if_finalised(request, session):
        return refused
    form = MoodRatingForm(request.POST)
    if form.is_valid():
        try:
            session.record_mood(form.cleaned_data["mood_rating"])
        except SessionLocked:
            return _refuse_if_finalised(request, session.__class__.objects.get(pk=session.pk))
    return _section(request, session, can_write, "mood")


@require_POST
def set_techniques(request, pk):
    session, can_write = get_session_for(request, pk, action="techniques")
    if refused := _refuse_if_finalised(request, session):
        return refused
    form = TechniquesForm(request.POST)
    if form.is_valid():
        session.techniques = form.cleaned_data["techniques"]
        session.save(update_fields=["techniques", "updated_at"])
    return _section(request, session, can_write, "techniques")


@require_POST
def set_dispute_stage(request, pk, area_pk):
    session, can_write = get_session_for(request, pk, action="dispute stage")
    if refused := _refuse_if_finalised(request, session):
        return refused
    area = get_object_or_404(
        ProblemArea.objects.filter(course=session.course, area=ProblemArea.Area.ROLE_DISPUTE),
        pk=area_pk,
    )
    session.change_dispute_stage(area, request.POST.get("stage", ""))
    return _section(request, session, can_write, "focal")


# --- rows added during the session: events, analyses, homework ----------------------------------
ROWS = {
    "event": (InterpersonalEvent, "session", "event_row"),
    "analysis": (CommunicationAnalysis, "session", "analysis_row"),
    "decision": (DecisionAnalysis, "session", "decision_row"),
    "homework": (Homework, "set_in", "homework_row"),
}


def _row_response(request, session, partial, row):
    """Just the new row, appended by htmx: other rows keep whatever is being typed in them."""
    context = {
        "row": row,
        "session": session,
        "course": session.course,
        "people": list(session.course.inventory.all()),
        "can_write": True,
    }
    return render(request, f"{PAGE}#{partial}", context)


@require_POST
def add_row(request, pk, kind):
    session, _ = get_session_for(request, pk, action=f"add {kind}")
    if kind not in ROWS:
        return HttpResponseBadRequest("Unknown section.")
    if refused := _refuse_if_finalised(request, session):
        return refused
    model, link, partial = ROWS[kind]
    row = model.objects.create(
        **{link: session}, person=_person(session, request.POST.get("person"))
    )
    if request.htmx:
        return _row_response(request, session, partial, row)
    return redirect(f"{session.get_absolute_url()}#{partial.replace('_row', '')}-{row.pk}")


@require_POST
def update_row(request, pk, kind, row_pk):
    """Choices on a row (person, focal, role-played, due date): saved as soon as they change."""
    session, _ = get_session_for(request, pk, action=f"update {kind}")
    if kind not in ROWS:
        return HttpResponseBadRequest("Unknown section.")
    if refused := _refuse_if_finalised(request, session):
        return refused
    model, link, _ = ROWS[kind]
    row = get_object_or_404(model.objects.filter(**{link: session}), pk=row_pk)
    fields = []
    if "person" in request.POST:
        row.person = _person(session, request.POST["person"])
        fields.append("person")
    if kind == "event" and "focal" in request.POST:
        row.focal = request.POST["focal"] == "yes"
        fields.append("focal")
    if kind == "analysis":
        row.role_played = request.POST.get("role_played") == "on"
        fields.append("role_played")
    if kind == "homework" and "due_by" in request.POST:
        row.due_by = _parse_date(request.POST["due_by"])
        fields.append("due_by")
    if fields:
        row.save(update_fields=fields)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(session)


@require_POST
def delete_row(request, pk, kind, row_pk):
    session, _ = get_session_for(request, pk, action=f"remove {kind}")
    if kind not in ROWS:
        return HttpResponseBadRequest("Unknown section.")
    if refused := _refuse_if_finalised(request, session):
        return refused
    model, link, _ = ROWS[kind]
    get_object_or_404(model.objects.filter(**{link: session}), pk=row_pk).delete()
    if request.htmx:
        return HttpResponse("")
    return redirect(session)


@require_POST
def review_homework(request, pk, homework_pk):
    session, _ = get_session_for(request, pk, action="homework review")
    if refused := _refuse_if_finalised(request, session):
        return refused
    homework = get_object_or_404(
        Homework.objects.filter(set_in__course=session.course), pk=homework_pk
    )
    homework.review(request.POST.get("outcome", ""), in_session=session)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(session)


def _to_review_from(session):
    """Homework this session may review: set earlier in the same course."""
    return Homework.objects.filter(set_in__course=session.course, set_in__number__lt=session.number)


def _person(session, person_id):
    """Someone from this course's inventory; any other id (or garbage) is no one."""
    if not person_id or not str(person_id).isdigit():
        return None
    return session.course.inventory.filter(pk=person_id).first()


def _parse_date(value):
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


# --- autosave --------------------------------------------------------------------------------------
AUTOSAVE_TARGETS = {
    "session": (Session, None),
    "event": (InterpersonalEvent, "session"),
    "analysis": (CommunicationAnalysis, "session"),
    "decision": (DecisionAnalysis, "session"),
    "homework": (Homework, "set_in"),
    "review": (Homework, "set_in__course"),
}


@require_POST
def autosave(request, pk):
    """Save one field as it is typed. 409 with both texts when another tab got there first."""
    session, _ = get_session_for(request, pk, action="autosave")
    target, field = request.POST.get("target", ""), request.POST.get("field", "")
    try:
        base_version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest("Missing version.")
    value = request.POST.get("value", "")
    kind, _, row_pk = target.partition(":")
    if kind == "strategy":
        # A strategy's note is created by its first save: refuse a finalised session first.
        if session.is_finalised:
            return JsonResponse({"error": LOCKED_MESSAGE}, status=423)
        obj = _strategy_note(session, row_pk)
    elif kind not in AUTOSAVE_TARGETS:
        return HttpResponseBadRequest("Unknown target.")
    else:
        model, link = AUTOSAVE_TARGETS[kind]
        if link is None:
            obj = session
        elif not row_pk.isdigit():
            raise Http404("No such row in this session.")
        elif kind == "review":
            obj = get_object_or_404(_to_review_from(session), pk=row_pk)
        else:
            obj = get_object_or_404(model.objects.filter(**{link: session}), pk=row_pk)
    if kind == "review" and field != "review_notes":
        return HttpResponseBadRequest("Only the review notes are written when reviewing homework.")
    # A finalised session is never changed, whatever row the request names: a homework row
    # otherwise takes its lock from the (open) session that reviews it.
    if session.is_finalised:
        return JsonResponse({"error": LOCKED_MESSAGE}, status=423)
    if kind == "review" and obj.reviewed_in_id is None:
        # Typing the review notes reviews the homework here, so this session's lock applies,
        # not that of the (possibly finalised) session that set it.
        obj.reviewed_in = session
        obj.save(update_fields=["reviewed_in"])
    try:
        version = obj.autosave(field, value, base_version, request.POST.get("base"))
    except UnsaveableText as unsaveable:
        # The typed text stays in the page; saving resumes when it is shortened.
        return JsonResponse({"error": str(unsaveable)}, status=422)
    except ValueError:
        return HttpResponseBadRequest("This field is not saved as you type.")
    except SessionLocked as locked:
        return JsonResponse({"error": str(locked)}, status=423)
    except EditConflict as conflict:
        return JsonResponse(
            {
                "conflict": True,
                "theirs": conflict.current_value,
                "version": conflict.current_version,
                "message": "This text was changed in another window or tab since you started typing.",
            },
            status=409,
        )
    return JsonResponse({"version": version, "saved_at": timezone.localtime().strftime("%H:%M:%S")})


def _strategy_note(session, area_and_key):
    """The note of "strategy:<area id>:<key>", created on its first save; a strategy that is not
    one of this course's areas is no such row."""
    area_pk, _, key = area_and_key.partition(":")
    if not area_pk.isdigit():
        raise Http404("No such strategy in this session.")
    area = get_object_or_404(session.course.problem_areas.all(), pk=area_pk)
    try:
        return StrategyNote.for_writing(session, area, key)
    except ValueError:
        raise Http404("No such strategy in this session.") from None


@require_POST
def decision_homework(request, pk, row_pk):
    """One click: the decision analysis's first step becomes the session's new homework."""
    session, _ = get_session_for(request, pk, action="decision analysis homework")
    if refused := _refuse_if_finalised(request, session):
        return refused
    decision = get_object_or_404(session.decision_analyses.all(), pk=row_pk)
    decision.session = session
    try:
        homework = decision.make_homework()
    except ValueError as empty:
        messages.error(request, str(empty))
        return redirect(f"{session.get_absolute_url()}#decision-{decision.pk}")
    except SessionLocked as locked:
        messages.error(request, str(locked))
        return redirect(session)
    messages.success(request, "The first step is now this week's homework.")
    return redirect(f"{session.get_absolute_url()}#homework-{homework.pk}")


# --- finalising and addenda --------------------------------------------------------------------------
@require_POST
def finalise(request, pk):
    session, _ = get_session_for(request, pk, action="finalise session")
    try:
        session.finalise(request.user)
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
    else:
        messages.success(
            request, f"{session.label} is finalised. Later changes are added as dated addenda."
        )
    return redirect(session)


@require_POST
def add_addendum(request, pk):
    session, _ = get_session_for(request, pk, action="addendum")
    form = AddendumForm(request.POST)
    if not session.is_finalised:
        messages.info(request, "The session is still open: edit the notes directly.")
    elif form.is_valid():
        Addendum.objects.create(session=session, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, "Addendum added.")
    else:
        messages.error(request, "Write the addendum before adding it.")
    return redirect(session)
