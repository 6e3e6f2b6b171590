"""The demo clinic's IPT groups: Sam Reyes leads a running group of six, Priya Natarajan
co-facilitating, at group session 4 (three held, each with its fidelity checklist, the first
two finalised), and a forming group with two members still in their pre-group session."""

from datetime import date, time

from groups.models import GroupStatus, TherapyGroup
from ipt.course.models import Variant
from ipt.devtools.demo.builders import (
    add_area,
    add_people,
    days_ago,
    diagnose,
    give_sick_role,
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


# Three held group sessions (Ben misses the second and third: contact him) and a planned fourth.
THEMES = [
    (
        "Depression as an illness; what each member hopes to change",
        "Members shy at first; Amara spoke first and others followed.",
    ),
    (
        "Arguments at home and what was said",
        "Dev and Elena role-played a dispute; the group suggested other words.",
    ),
    ("Asking for what you need", "Warm; Farah helped Chloe plan a talk with her partner."),
]
EVENTS = {
    "Amara": ("My partner and I argued about money.", "Tell him calmly what worries me."),
    "Chloe": ("I felt left out when my sister visited.", "Ask my sister to phone on Sunday."),
    "Dev": ("A row with my partner over the move.", "Say one thing I miss about the old flat."),
    "Elena": ("I stayed in all weekend.", "Meet a friend for coffee."),
    "Farah": ("My partner helped with the children.", "Thank him and say what it meant."),
    "Ben": ("Work worries kept me up.", "Tell my partner about the worries."),
}
BEN_ABSENT = {2: "Did not come to the group.", 3: "Did not come; no reply to a text."}


def _hold_group_sessions(group, lead):
    from groups.models import GroupSession

    for number, (theme, process) in enumerate(THEMES, start=1):
        group_session = GroupSession.plan_next(group)
        entries = []
        for member in group.current_members().select_related("course__patient"):
            first = member.first_name
            row = {"member": member, "attendance": "present", "reason": "", "mood": 5,
                   "phq9": "", "event": EVENTS[first][0], "action": EVENTS[first][1]}  # fmt: skip
            if first == "Ben" and number in BEN_ABSENT:
                row.update(attendance="absent", reason=BEN_ABSENT[number], mood=None, event="",
                           action="")  # fmt: skip
            elif first == "Elena" and number == 3:
                row["attendance"] = "late"
            if number == 2 and row["attendance"] != "absent":
                row["phq9"] = "2 2 1 1 1 2 1 1 0"
            entries.append(row)
        group_session.hold(entries, theme=theme, process_notes=process, by=lead)
        _fill_checklist(group_session, lead, number)
        if number < len(THEMES):  # the latest stays open to corrections
            group_session.finalise(lead)
    GroupSession.plan_next(group)


def _fill_checklist(group_session, lead, number):
    """The facilitator's checklist: in session 1 not every member linked mood to an event yet,
    and no one left without a plan after the first session."""
    came = group_session.attendance.filter(attendance__in=("present", "late")).select_related(
        "member__course__patient"
    )
    linked = {a.pk for a in came if number > 1 or a.member.first_name not in ("Dev", "Farah")}
    group_session.record_checklist(
        linked=linked,
        items={"problem_area_work": number > 1, "members_helped": True, "action_plans": True},
        note="Members were quiet; how do I get them talking to each other sooner?"
        if number == 1
        else "",
        by=lead,
    )


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
        if name == "Ben Carter":  # his individual sessions were planned before the group began
            plan_sessions(course, 28)
        running.add_member(course, by=lead, on=days_ago(21))
    _hold_group_sessions(running, lead)
    # A risk to assess, on the group page and her course (after the group sessions held so
    # far were finalised: an open risk signal keeps a session from being finalised).
    chloe = running.current_members().get(course__patient__full_name="Chloe Evans")
    record_phq9(chloe.course, CHLOE_LATER, 0, lead)
    TherapyGroup.objects.create(
        name="Thursday evening group (video)", lead=lead,
        video_link="https://video.clinic.example/ipt-thursday",
        weekday=3, meets_at=time(18), start_date=days_ago(-14),
    )  # fmt: skip
    for n, name in enumerate(FORMING):
        _member_course(_patient(lead, name, 1990 + n), lead, 3, pre_group_done=False)
    created.append("groups Tuesday afternoon and Thursday evening")
