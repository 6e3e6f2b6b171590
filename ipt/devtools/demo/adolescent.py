"""The demo's IPT-A course: Jess Taylor, 15, in a dispute with her mother about school and
friends; Sam Reyes's patient. Her mother Claire is in the inventory and is her parent on the
course, consent recorded with Jess's assent; she signed the contract beside Jess, came to a
parent session in the initial phase (depression and the limited sick role) and to a joint
session on the dispute last week (its record still open). Middle phase, five sessions held."""

from datetime import date

from django.utils import timezone

from ipt.course.models import Variant
from ipt.course.parents import ParentCarer
from ipt.devtools.demo import builders
from ipt.initial.contract import TreatmentContract
from ipt.initial.models import ProblemArea
from patients.models import Patient
from sessions_app.models import ParentSession

NAME = "Jess Taylor"
STARTED = 35  # days ago; weekly sessions from then


def _patient(therapist):
    today = timezone.localdate()
    patient, _ = Patient.objects.get_or_create(
        therapist=therapist,
        full_name=NAME,
        defaults={
            "date_of_birth": date(today.year - 15, 3, 14),
            "referral_source": "School nurse",
            "referral_reason": "Low mood and withdrawal since the autumn; rows at home.",
            "emergency_contact_name": "Claire Taylor (mother)",
            "emergency_contact_phone": "07700 900321",
        },
    )
    return patient


def _initial_phase(course):
    builders.diagnose(course, onset=120, on=STARTED)
    sick_role = builders.give_sick_role(
        course, STARTED - 7, "Extra chores at home and the weekend job for a few weeks.",
        "Keep going to school, the weekly sessions and the agreed actions.",
    )  # fmt: skip
    sick_role.limited = True
    sick_role.save(update_fields=["limited"])
    people = builders.add_people(
        course,
        [("Claire (Mum)", "mother", 1, {"conflicts_resolve": "rarely"}),
         ("Maya", "best friend", 2), ("Mr Hughes", "form tutor", 3)],
    )  # fmt: skip
    area = builders.add_area(
        course, ProblemArea.Area.ROLE_DISPUTE,
        "Rows with her mother about school and seeing friends leave her low and withdrawn.",
        person=people["Claire (Mum)"], dispute_stage="renegotiation",
    )  # fmt: skip
    builders.formulate(course, shared_on=builders.days_ago(STARTED - 14))
    return people["Claire (Mum)"], area


def _parent(course, person, by):
    parent = ParentCarer.add(
        course, person=person, name="Claire Taylor", relationship="mother",
        phone="07700 900321", email="claire.taylor@example.org",
        contact_notes="Mobile after 4 pm; not at work.",
    )  # fmt: skip
    parent.record_consent(
        by=by, on=builders.days_ago(STARTED), given_by="Claire Taylor", sessions=True,
        sharing=True, assent=True,
        notes="What Jess says in her own sessions stays private, except a risk to her safety; "
        "Jess chooses what is shared from them.",
    )  # fmt: skip
    return parent


def _sign(course, by, parent, on_days_ago):
    contract = TreatmentContract.draft_for(course)
    contract.save()
    on = builders.days_ago(on_days_ago)
    contract.sign(
        patient_name=course.patient.full_name, patient_date=on, therapist=by, therapist_date=on,
        parent=parent, parent_date=on,
    )  # fmt: skip


def build(patient, by):
    course = builders.open_course(patient, by, STARTED, variant=Variant.ADOLESCENT)
    builders.record_phq9(course, (2, 2, 2, 1, 2, 2, 1, 1, 0), STARTED, by)
    mum, area = _initial_phase(course)
    parent = _parent(course, mum, by)
    sessions = builders.plan_sessions(course, STARTED)
    builders.hold(sessions[0], by, mood=3, mood_context="Quiet; says home is 'constant rows'.")
    builders.hold(sessions[1], by, mood=3, notes="Limited sick role: school goes on.")
    ParentSession.record(
        course, by=by, parent=parent, held_on=builders.days_ago(STARTED - 7),
        kind=ParentSession.Kind.PARENT, focus=ParentSession.Focus.SICK_ROLE,
        focus_detail="What depression is; what is eased and what goes on",
        notes="Claire feared Jess was 'just being lazy'. Talked through depression as an "
        "illness and IPT-A; she was relieved there is a plan.",
        agreed_actions="Claire eases the extra chores for four weeks; Jess keeps going to school.",
    ).finalise(by)  # fmt: skip
    builders.hold(sessions[2], by, mood=4, notes="Inventory; the rows with Mum as the focus.")
    builders.hold(sessions[3], by, mood=4, notes="Formulation shared; contract signed with Mum.")
    _sign(course, by, parent, STARTED - 21)
    builders.enter_middle(course, by, sessions[3])
    builders.hold(
        sessions[4], by, phq9=[2, 1, 2, 1, 1, 2, 1, 1, 0], ratings=[(area, 4)],
        events=[(mum, "A row on Sunday about going to Maya's; Jess slammed her door.",
                 "Angry, then low all evening.", True)],
        homework=("Ask Mum calmly about Fridays at Maya's, at a time she is not busy.", mum,
                  "", ""),
        focal_notes="Communication analysis of Sunday's row: what Jess meant and how it landed.",
    )  # fmt: skip
    ParentSession.record(
        course, by=by, parent=parent, held_on=builders.days_ago(STARTED - 28),
        kind=ParentSession.Kind.JOINT, focus=ParentSession.Focus.DISPUTE,
        focus_detail="Going out on school nights",
        notes="Jess and Claire each said what they want; both calmer than at the start.",
        agreed_actions="Maya's on Fridays; Jess texts when she leaves. Review next week.",
    )  # fmt: skip
    return course


def seed(staff, created):
    patient = _patient(staff["therapist"])
    if patient.courses.exists():
        return
    build(patient, staff["therapist"])
    created.append(f"course for {NAME} (IPT-A, with her mother)")
