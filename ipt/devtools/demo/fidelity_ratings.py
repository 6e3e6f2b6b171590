"""The fidelity scale, in the demo: Helen Okafor has rated Daniel Moreno's fourth session and
Sam Reyes has self-rated it, so the supervisor's page shows the two side by side (close on
most items, apart on the stance), and the drift item records a thought record Sam suggested."""

from ipt.accounts.models import User
from ipt.supervision.models import SessionRating
from sessions_app.models import Session

SUPERVISOR = {
    "mood_and_events": (5, "The low day after the rejection email was tied to the dinner talks."),
    "focal_area": (4, "Stayed with the dispute; Kev was linked back to the isolation."),
    "techniques": (4, "Renegotiation stage, and the work was communication work: right fit."),
    "communication_analysis": (5, "Line by line, meant against heard, and role-played twice."),
    "stance": (2, "You wrote Dan's opening line for him: let him find his own words."),
    "homework": (4, "Concrete and with Maria; rehearsed."),
}
THERAPIST = {
    "mood_and_events": (4, ""),
    "focal_area": (4, ""),
    "techniques": (4, ""),
    "communication_analysis": (4, ""),
    "stance": (4, "Felt active and on his side."),
    "homework": (4, ""),
}


def seed(created):
    session = Session.objects.filter(
        course__patient__full_name="Daniel Moreno", number=4, status=Session.Status.HELD
    ).first()
    supervisor = User.objects.filter(username="supervisor").first()
    if session is None or supervisor is None or session.ratings.exists():
        return
    SessionRating.record(
        session,
        rater=supervisor,
        by_therapist=False,
        ratings=SUPERVISOR,
        drift=("some", "A thought record for the 'I'm useless' thought, briefly; back to Maria."),
    )
    SessionRating.record(
        session,
        rater=session.course.therapist,
        by_therapist=True,
        ratings=THERAPIST,
        drift=("none", ""),
    )
    created.append("a supervisor's fidelity rating and a self-rating of Daniel Moreno's session 4")
