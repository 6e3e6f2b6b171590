"""The patient's questionnaire by link, in the demo: Daniel Moreno answered his before the next
session (PHQ-9 and GAD-7, now his session's PHQ-9); Owen Price, whose PHQ-9 is overdue, has a
link waiting. Only a link's hash is stored, so the waiting link's address is printed once, by
the seed_demo run that makes it."""

from django.urls import reverse

from patients.models import Patient
from sessions_app.models import QuestionnaireLink, Session

DANIEL_PHQ9 = {f"phq9.{n}": a for n, a in enumerate([1, 1, 1, 1, 0, 1, 0, 0, 0], 1)}
DANIEL_GAD7 = {f"gad7.{n}": a for n, a in enumerate([1, 1, 1, 0, 0, 1, 0], 1)}


def _next_planned(name):
    patient = Patient.objects.filter(full_name=name).first()
    course = (
        patient and patient.courses.filter(phase__in=("initial", "middle", "termination")).first()
    )
    if course is None:
        return None
    session = course.sessions.filter(status=Session.Status.PLANNED).order_by("number").first()
    if session is None or session.questionnaire_links.exists() or session.phq9_id:
        return None
    return session


def seed(created):
    if session := _next_planned("Daniel Moreno"):
        link, _ = QuestionnaireLink.create_for(
            session, by=session.course.patient.therapist, with_gad7=True
        )
        for key, value in (DANIEL_PHQ9 | {"difficulty": 1} | DANIEL_GAD7).items():
            link.answer(key, value)
        link.complete()
        created.append("a questionnaire completed by Daniel Moreno")
    if session := _next_planned("Owen Price"):
        _, token = QuestionnaireLink.create_for(session, by=session.course.patient.therapist)
        path = reverse("sessions_app:questionnaire", args=[token])
        created.append(f"a questionnaire link waiting for Owen Price ({path})")
