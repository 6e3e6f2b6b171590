from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from ipt.course.models import TreatmentCourse
from ipt.termination.models import FollowUp
from sessions_app.progress import sessions_between
from sessions_app.watch import in_sight, refresh_due


@login_not_required
def favicon(request):
    """Browsers (and the admin, which has no icon link) ask for /favicon.ico: send ours."""
    return redirect(static("favicon.svg"), permanent=True)


@require_GET
def home(request):
    if request.user.is_clinic_admin:
        return render(request, "ipt/admin_home.html")
    if request.user.is_supervisor:
        return redirect("dashboard")
    if request.user.is_clinic_lead:
        return redirect("outcomes")
    if not request.user.is_therapist:
        return redirect("patients:caseload")
    return therapist_home(request)


FOLLOW_UPS_AHEAD_DAYS = 14


def therapist_home(request):
    """The therapist's day: today's and this week's sessions, and every course that needs
    something (risk, deterioration, contact, an overdue session or PHQ-9)."""
    today = timezone.localdate()
    start_of_day = timezone.make_aware(
        timezone.datetime.combine(today, timezone.datetime.min.time())
    )
    # The stored watch of each course (sessions_app/watch.py). Closed courses too while their
    # risk needs attention: risk is never out of sight.
    visible = TreatmentCourse.objects.visible_to(request.user)
    refresh_due(visible, today)
    fetched = list(
        in_sight(visible).select_related("patient", "watch").order_by("patient__full_name", "pk")
    )
    watched = [(course, course.watch) for course in fetched]
    courses = [c for c in fetched if c.is_active]
    upcoming = list(sessions_between(courses, start_of_day, start_of_day + timedelta(days=7)))
    return render(
        request,
        "ipt/home.html",
        {
            "today": today,
            "todays_sessions": [
                s for s in upcoming if timezone.localtime(s.scheduled_for).date() == today
            ],
            "week_sessions": [
                s for s in upcoming if timezone.localtime(s.scheduled_for).date() != today
            ],
            "at_risk": [(c, w.risk) for c, w in watched if w.risk],
            "attention": [
                (c, w)
                for c, w in watched
                if w.deteriorated or w.contact or w.phq9_overdue or w.off_track
            ],
            "overdue": [(c, w) for c, w in watched if w.overdue],
            "feedback": [(c, w) for c, w in watched if w.feedback_open],
            # Maintenance after the course: follow-ups and boosters due in the next fortnight,
            # or due already and not yet recorded.
            "followups": FollowUp.objects.filter(
                maintenance__course__in=visible,
                status=FollowUp.Status.DUE,
                due_on__lte=today + timedelta(days=FOLLOW_UPS_AHEAD_DAYS),
            )
            .select_related("maintenance__course__patient")
            .order_by("due_on", "pk"),
            "courses": courses,
        },
    )
