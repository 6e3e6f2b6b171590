"""The focal-relationship rating on the session page (its own partial and endpoint)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ipt.initial.models import ProblemArea
from sessions_app.access import get_session_for
from sessions_app.focal import SCALE, focal_rows
from sessions_app.models import LOCKED_MESSAGE, SessionLocked

PARTIAL = "sessions_app/_focal_rating.html"


@require_POST
def record_focal_rating(request, pk, area_pk):
    session, can_write = get_session_for(request, pk, action="focal rating")
    area = get_object_or_404(ProblemArea.objects.filter(course_id=session.course_id), pk=area_pk)
    raw = request.POST.get("rating", "")
    error = ""
    if raw == "":
        rating = None
    elif raw.isdigit() and int(raw) in SCALE:
        rating = int(raw)
    else:
        rating, error = None, "Choose a rating from 0 to 10."
    if not error:
        if not session.takes_focal_rating:
            error = "The focal rating is taken from the first middle-phase session on."
        else:
            try:
                session.record_focal_rating(area, rating)
            except SessionLocked:
                error = LOCKED_MESSAGE
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(session)
    session.refresh_from_db(fields=["finalised_at"])
    context = {
        "session": session,
        "focal_rating_rows": focal_rows(session),
        "can_write": can_write and not session.is_finalised,
        "focal_rating_error": error,
        "focal_rating_error_area": area.pk,
    }
    return render(request, PARTIAL, context)
