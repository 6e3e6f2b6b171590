from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from ipt.course.models import TreatmentCourse
from ipt.rules.flags import is_overdue
from sessions_app.progress import sessions_between, with_last_session


@login_not_required
def favicon(request):
    """Browsers (and the admin, which has no icon link) ask for /favicon.ico: send ours."""
    return redirect(static("favicon.svg"), permanent=True)


def home(request):
    if request.user.is_clinic_admin:
        return render(request, "ipt/admin_home.html")
    if request.user.is_supervisor:
        return redirect("dashboard")
    if not request.user.is_therapist:
        return redirect("patients:caseload")
    return therapist_home(request)


def therapist_home(request):
    """The therapist's day: today's and this week's sessions, overdue courses, risk."""
    today = timezone.localdate()
    start_of_day = timezone.make_aware(
        timezone.datetime.combine(today, timezone.datetime.min.time())
    )
    courses = list(
        with_last_session(TreatmentCourse.objects.visible_to(request.user).active())
        .select_related("patient")
        .prefetch_related("measures__risk_assessments", "risk_assessments")
        .order_by("patient__full_name")
    )
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
            "overdue": [
                c
                for c in courses
                # The day of the last session as the clinic counts it, not the UTC date.
                if is_overdue(
                    c.last_session_at and timezone.localtime(c.last_session_at), c.start_date, today
                )
            ],
            "at_risk": [
                c
                for c in courses
                if c.unassessed_risks()
                or (c.latest_risk_assessment and c.latest_risk_assessment.is_elevated)
            ],
            "courses": courses,
        },
    )
