"""The demo clinic's IPT groups: Sam Reyes leads a running group of six, Priya Natarajan
co-facilitating, and a forming group with two members still in their pre-group session."""

from datetime import date, time

from groups.models import GroupStatus, TherapyGroup
from ipt.course.models import Variant
from ipt.devtools.demo.builders import (
    add_area,
    add_people,
    days_ago,
    diagnose,
    give_sick_role,
    miss,
    open_course,
    plan_sessions,
    record_phq9,
)
from patients.models import Patient

RUNNING = ["Amara Okoye", "Ben Carter", "Chloe Evans", "Dev Patel", "Elena Rossi", "Farah Khan"]
FORMING = ["Gina Lopez", "Hugo Brandt"]
# The PHQ-9 at the pre-group session; Chloe's at group session 4 has item 9 above 0.
DEFAULT_ANSWERS = (2, 2, 1, 2, 1, 2, 1, 1, 0)
CHLOE_LATER = (2, 2, 2, 2, 1, 2, 1, 1, 1)


def _patient(therapist, name, year):
    patient, _ = Patient.objects.get_or_create(
        therapist=therapist,
        full_name=name,
        defaults={
            "date_of_birth": date(year, 5, 1),
            "referral_source": "GP",
            "referral_reason": "Low mood since a change at home; offered group IPT.",
        },
    )
    return patient


def _member_course(patient, by, started, *, pre_group_done):
    course = open_course(patient, by, started, variant=Variant.GROUP)
    if not pre_group_done:
        return course
    diagnose(course, onset=started + 60, on=started)
    record_phq9(course, DEFAULT_ANSWERS, started, by)
    give_sick_role(course, started, "Some household tasks while the group runs.")
    people = add_people(course, [("Partner", "partner", 1), ("Sister", "sister", 2)])
    add_area(
        course,
        "role_dispute",
        "Arguments at home since the move.",
        person=people["Partner"],
        dispute_stage="renegotiation",
    )
    return course


def seed(staff, created):
    lead, co = staff["therapist"], staff["therapist2"]
    if TherapyGroup.objects.filter(lead=lead).exists():
        return
    running = TherapyGroup.objects.create(
        name="Tuesday afternoon group", lead=lead, venue="Community centre, room 3",
        weekday=days_ago(28).weekday(), meets_at=time(14), start_date=days_ago(21),
        status=GroupStatus.RUNNING, member_limit=8,
    )  # fmt: skip
    running.co_facilitators.add(co)
    for n, name in enumerate(RUNNING):
        course = _member_course(_patient(lead, name, 1980 + n), lead, 28, pre_group_done=True)
        if name == "Ben Carter":  # two group sessions missed in a row: contact him
            sessions = plan_sessions(course, 28)
            miss(sessions[1], "Did not come to the group.")
            miss(sessions[2], "Did not come; no reply to a text.")
        running.add_member(course, by=lead, on=days_ago(21))
        if name == "Chloe Evans":  # a risk to assess, on the group page and her course
            record_phq9(course, CHLOE_LATER, 0, lead)
    TherapyGroup.objects.create(
        name="Thursday evening group (video)", lead=lead,
        video_link="https://video.clinic.example/ipt-thursday",
        weekday=3, meets_at=time(18), start_date=days_ago(-14),
    )  # fmt: skip
    for n, name in enumerate(FORMING):
        _member_course(_patient(lead, name, 1990 + n), lead, 3, pre_group_done=False)
    created.append("groups Tuesday afternoon and Thursday evening")
