"""State changes that cannot race: of concurrent requests, exactly one wins (guard -> lock ->
re-check -> change -> record), the others are refused with a clear message."""

import threading
import uuid
from datetime import date

import pytest
from django.db import connection

from ipt.models import (
    EndReason,
    MeasureResponse,
    Phase,
    PhaseTransition,
    TransitionRefused,
    TreatmentCourse,
)
from patients.models import Patient
from sessions_app.models import Session
from tests.factories import CourseFactory, PatientFactory, SessionFactory, ready_for_middle_phase

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def race(action, n=THREADS):
    """Run ``action()`` in n threads released together; the outcome of each, in no order."""
    barrier = threading.Barrier(n)
    outcomes = []

    def run():
        try:
            barrier.wait()
            action()
            outcomes.append("done")
        except TransitionRefused as refused:
            outcomes.append(" ".join(refused.reasons))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _fresh(course):
    return TreatmentCourse.objects.with_initial_phase().get(pk=course.pk)


def test_parallel_begin_middle_phase_writes_one_transition(owner, patient):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    outcomes = race(lambda: _fresh(course).enter_middle_phase(owner))
    assert outcomes.count("done") == 1
    assert all("moved to" in o or "cannot" in o for o in outcomes if o != "done")
    assert PhaseTransition.objects.filter(course=course).count() == 1
    assert _fresh(course).phase == Phase.MIDDLE


def test_complete_and_end_early_racing_leave_one_consistent_ending(owner, patient):
    course = CourseFactory(patient=patient, phase=Phase.TERMINATION)
    # Nothing blocks an early ending; completing is refused for its missing review either way.
    actions = [
        lambda: _fresh(course).end_early(
            owner, EndReason.DROP_OUT, date(2026, 10, 1), "No contact"
        ),
        lambda: _fresh(course).complete(owner),
    ] * 4
    barrier_actions = iter(actions)
    lock = threading.Lock()

    def one():
        with lock:
            action = next(barrier_actions)
        action()

    outcomes = race(one)
    assert outcomes.count("done") == 1
    course = _fresh(course)
    assert course.phase == Phase.ENDED_EARLY
    assert course.end_reason == EndReason.DROP_OUT
    assert PhaseTransition.objects.filter(course=course).count() == 1


def test_parallel_course_starts_start_one_course(owner, patient):
    def start():
        TreatmentCourse.start(
            TreatmentCourse(
                patient=Patient.objects.get(pk=patient.pk),
                planned_sessions=12,
                initial_phase_sessions=3,
                start_date=date(2026, 9, 7),
            )
        )

    outcomes = race(start)
    assert outcomes.count("done") == 1
    assert all("already has an active course" in o for o in outcomes if o != "done")
    assert TreatmentCourse.objects.filter(patient=patient).count() == 1


def test_the_same_patient_form_submitted_in_parallel_adds_one_patient(owner):
    token = uuid.uuid4()

    def add():
        Patient(
            therapist=owner,
            full_name="Jo Double-Click",
            date_of_birth=date(1990, 1, 1),
            emergency_contact_name="Sam",
            emergency_contact_phone="0123",
            referral_source="GP",
            referral_reason="Low mood",
            submission=token,
        ).add_once()

    outcomes = race(add)
    assert outcomes.count("done") == THREADS  # each gets the patient, none an error
    assert Patient.objects.filter(full_name="Jo Double-Click").count() == 1


def test_parallel_phq9s_for_one_session_record_one(owner, patient):
    course = CourseFactory(patient=patient, phase=Phase.MIDDLE)
    session = SessionFactory(course=course, number=4)

    def record():
        Session.objects.get(pk=session.pk).record_phq9([1] * 9, by=owner)

    outcomes = race(record)
    assert outcomes.count("done") == 1
    assert all(
        o == "A PHQ-9 is already recorded for this session." for o in outcomes if o != "done"
    )
    assert MeasureResponse.objects.filter(course=course).count() == 1


def test_the_same_measure_form_submitted_in_parallel_records_one(owner):
    course = CourseFactory(patient=PatientFactory(therapist=owner))
    token = uuid.uuid4()

    def record():
        MeasureResponse.record(
            course, "phq9", [1] * 9, taken_on=date(2026, 9, 7), by=owner, submission=token
        )

    outcomes = race(record)
    assert outcomes.count("done") == THREADS
    assert MeasureResponse.objects.filter(course=course).count() == 1


def test_parallel_signatures_sign_the_contract_once(owner, patient):
    from ipt.initial.contract import TreatmentContract

    course = ready_for_middle_phase(CourseFactory(patient=patient), sign=False)
    contract = TreatmentContract.objects.get(course=course)

    def sign():
        TreatmentContract.objects.get(pk=contract.pk).sign(
            patient_name=patient.full_name,
            patient_date=date(2026, 9, 21),
            therapist=owner,
            therapist_date=date(2026, 9, 21),
        )

    outcomes = race(sign)
    assert len(outcomes) == THREADS, outcomes  # none failed with a database error
    assert outcomes.count("done") == 1, outcomes
    assert all("already signed" in o for o in outcomes if o != "done"), outcomes
    assert TreatmentContract.objects.get(pk=contract.pk).is_signed


def test_parallel_finalise_finalises_once(owner, patient):
    course = CourseFactory(patient=patient, phase=Phase.MIDDLE)
    session = SessionFactory(course=course, number=1, status=Session.Status.HELD)
    if session.finalise_blockers():
        pytest.skip("the factory's session is not ready to finalise")
    outcomes = race(lambda: Session.objects.get(pk=session.pk).finalise(owner))
    assert outcomes.count("done") == 1, outcomes
    assert Session.objects.get(pk=session.pk).finalised_at is not None


def test_parallel_acknowledgements_keep_the_first_time(owner, supervisor, patient):
    from ipt.supervision.models import SupervisionFeedback

    course = CourseFactory(patient=patient, phase=Phase.MIDDLE)
    feedback = SupervisionFeedback.objects.create(course=course, author=supervisor, text="Good.")
    times = []

    def acknowledge():
        item = SupervisionFeedback.objects.get(pk=feedback.pk)
        item.acknowledge()
        times.append(item.acknowledged_at)

    assert race(acknowledge).count("done") == THREADS
    assert len(set(times)) == 1
    assert SupervisionFeedback.objects.get(pk=feedback.pk).acknowledged_at == times[0]


def test_a_group_session_correction_racing_its_finalising_never_follows_it():
    """Finalising a group session and correcting it at once: either the correction lands
    first and is finalised with the rest, or it is refused; a finalised member session is
    never changed, and the group session is finalised once."""
    from datetime import timedelta

    from django.utils import timezone

    from groups.models import GroupSession, GroupSessionCorrection
    from tests.factories import (
        GroupCourseFactory,
        TherapistFactory,
        TherapyGroupFactory,
        pre_group_done,
    )

    lead = TherapistFactory()
    start = timezone.localdate() - timedelta(days=1)
    group = TherapyGroupFactory(
        lead=lead, status="running", start_date=start, weekday=start.weekday()
    )
    for name in ("Ana Lima", "Ben Costa"):
        course = pre_group_done(
            GroupCourseFactory(
                patient=PatientFactory(therapist=lead, full_name=name), start_date=start
            )
        )
        group.add_member(course, by=lead, on=start)
    gs = GroupSession.plan_next(group)
    members = list(group.current_members())
    present = {
        "attendance": "present",
        "reason": "",
        "mood": 5,
        "phq9": "",
        "event": "",
        "action": "",
    }
    gs.hold([{"member": m, **present} for m in members], theme="", process_notes="", by=lead)
    gs.record_checklist(linked=set(), items={}, note="", by=lead)

    def act(i):
        fresh = GroupSession.objects.get(pk=gs.pk)
        if i % 2:
            fresh.finalise(lead)
        else:
            fresh.correct(
                [{"member": m, "attendance": "present", "reason": "", "mood": 5 + i // 2} for m in members],
                theme="", process_notes="", reason=f"Mood {5 + i // 2}.", by=lead,
            )  # fmt: skip

    counter = iter(range(THREADS))
    lock = threading.Lock()

    def action():
        with lock:
            i = next(counter)
        act(i)

    outcomes = race(action)
    assert all(o == "done" or "finalised" in o or "Nothing was changed" in o for o in outcomes)
    gs.refresh_from_db()
    assert gs.is_finalised
    finalised_moods = set(
        Session.objects.filter(group_attendance__group_session=gs).values_list(
            "mood_rating", flat=True
        )
    )
    assert len(finalised_moods) == 1  # one correction's mood for every member, or none
    last = GroupSessionCorrection.objects.filter(group_session=gs).order_by("at").last()
    assert last is None or last.at <= gs.finalised_at
