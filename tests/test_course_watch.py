"""The stored watch of each course (sessions_app/watch.py): never different from the rules.

Every write to a course's record marks its CourseWatch stale in the database, in the writing
transaction; the model methods refresh it before their transaction ends; a list refreshes
whatever is still stale before it reads. These tests drive randomised sequences of writes
and compare what is stored with the watch worked out from scratch.
"""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ipt.course.models import Phase, TreatmentCourse
from ipt.measures.models import MeasureResponse, RiskAssessment
from ipt.supervision.models import SupervisionFeedback
from sessions_app import watch
from sessions_app.models import CourseWatch, Session
from tests.factories import (
    CourseFactory,
    InventoryPersonFactory,
    MeasureFactory,
    ProblemAreaFactory,
    RiskAssessmentFactory,
    SessionFactory,
    SuitabilityFactory,
    TherapistFactory,
    ready_for_middle_phase,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def from_scratch(course_id, day):
    course = watch.for_watch(TreatmentCourse.objects.filter(pk=course_id)).get()
    return watch.stored_values(course, day)


def stored(course_id):
    row = CourseWatch.objects.get(course_id=course_id)
    return {name: getattr(row, name) for name in watch.STORED_FIELDS if name != "refreshed_at"}


def assert_same(course_id, day=None):
    day = day or today()
    expected = from_scratch(course_id, day)
    assert stored(course_id) == {**expected, "stale": False}


def course_started(therapist, start_date):
    course = CourseFactory.build(patient__therapist=therapist, start_date=start_date)
    course.patient.save()
    course.patient_id = course.patient.pk
    return TreatmentCourse.start(course)


# --- randomised writes ----------------------------------------------------------------------
def _any_session(rng, course, *statuses):
    sessions = [s for s in course.sessions.all() if not statuses or s.status in statuses]
    return rng.choice(sessions) if sessions else None


def _next_number(course):
    return (max(course.sessions.values_list("number", flat=True), default=0)) + 1


def op_plan_sessions(rng, course, user):
    Session.plan_course(course, weekday=rng.randrange(7), at=time(10), start=course.start_date)


def op_add_session_outside_the_app(rng, course, user):
    number = _next_number(course)
    SessionFactory(
        course=course,
        number=number,
        status=rng.choice(Session.Status.values),
        scheduled_for=timezone.make_aware(datetime.combine(course.start_date, time(9)))
        + timedelta(days=7 * (number - 1) + rng.randrange(-2, 3)),
    )


def op_set_status(rng, course, user):
    session = _any_session(rng, course)
    if session is None or session.is_finalised:
        return
    status = rng.choice(Session.Status.values)
    session._change(status=status, status_note="")


def op_record_phq9(rng, course, user):
    session = _any_session(rng, course, Session.Status.HELD)
    if session is None or session.phq9_id or session.is_finalised:
        return
    answers = [rng.randrange(4) for _ in range(8)] + [rng.choice([0, 0, 0, 1, 2])]
    session.record_phq9(answers, by=user)


def op_measure(rng, course, user):
    code = rng.choice(["phq9", "phq9", "gad7"])
    n = 9 if code == "phq9" else 7
    answers = [rng.randrange(4) for _ in range(n)]
    MeasureResponse.record(
        course, code, answers, taken_on=course.start_date + timedelta(days=rng.randrange(90)),
        by=user,
    )  # fmt: skip


def op_measure_outside_the_app(rng, course, user):
    answers = [rng.randrange(4) for _ in range(9)]
    MeasureFactory(
        course=course, answers=answers, taken_on=course.start_date + timedelta(rng.randrange(90))
    )


def op_delete_measure(rng, course, user):
    measure = course.measures.order_by("?").first()
    if measure is not None and not Session.objects.filter(phq9=measure, finalised_at__isnull=False):
        measure.delete()


def op_risk_assessment(rng, course, user):
    day = course.start_date + timedelta(days=rng.randrange(90))
    RiskAssessmentFactory(
        course=course, assessed_on=min(day, today()), level=rng.choice(RiskAssessment.Level.values)
    )


def op_suitability(rng, course, user):
    if not hasattr(course, "suitability"):
        SuitabilityFactory(course=course, acute_suicidality=rng.random() < 0.3)
    else:
        screen = course.suitability
        screen.acute_suicidality = not screen.acute_suicidality
        screen.save()


def op_initial_phase(rng, course, user):
    empty = not (
        hasattr(course, "suitability")
        or course.inventory.exists()
        or course.problem_areas.exists()
        or course.measures.exists()
    )
    if empty:
        ready_for_middle_phase(course)


def op_person(rng, course, user):
    InventoryPersonFactory(course=course)


def op_problem_area(rng, course, user):
    if not course.problem_areas.exists():
        ProblemAreaFactory(course=course)


def op_transition(rng, course, user):
    course = TreatmentCourse.objects.with_initial_phase().get(pk=course.pk)
    try:
        if course.phase == Phase.INITIAL:
            course.enter_middle_phase(user)
        elif course.phase == Phase.MIDDLE:
            course.enter_termination_phase(user)
        elif course.is_active and rng.random() < 0.3:
            course.end_early(user, "drop_out", today())
    except Exception as refused:  # the guard refused: nothing changed
        assert refused.__class__.__name__ == "TransitionRefused"


def op_feedback(rng, course, user):
    if rng.random() < 0.5 or not course.feedback.exists():
        SupervisionFeedback.give(course, None, author=user.supervisor, text="Good work.")
    else:
        course.feedback.order_by("?").first().acknowledge()


def op_planned_sessions(rng, course, user):
    TreatmentCourse.objects.filter(pk=course.pk).update(planned_sessions=rng.choice([12, 14, 16]))


OPERATIONS = [
    op_plan_sessions,
    op_add_session_outside_the_app,
    op_set_status,
    op_set_status,
    op_record_phq9,
    op_measure,
    op_measure_outside_the_app,
    op_delete_measure,
    op_risk_assessment,
    op_suitability,
    op_initial_phase,
    op_person,
    op_problem_area,
    op_transition,
    op_feedback,
    op_planned_sessions,
]


@pytest.mark.parametrize("seed", range(6))
def test_the_stored_watch_never_differs_from_the_rules_after_random_writes(seed):
    rng = random.Random(seed)
    therapist = TherapistFactory()
    courses = [
        course_started(therapist, today() - timedelta(days=rng.randrange(20, 100)))
        for _ in range(3)
    ]
    for step in range(40):
        course = TreatmentCourse.objects.get(pk=rng.choice(courses).pk)
        operation = rng.choice(OPERATIONS)
        operation(rng, course, therapist)
        # What a list does before it reads, then every course against the rules.
        watch.refresh_due(TreatmentCourse.objects.all())
        for each in courses:
            try:
                assert_same(each.pk)
            except AssertionError:
                pytest.fail(f"seed {seed}, step {step}: after {operation.__name__}")


# --- the database marks, the model methods refresh ------------------------------------------
def test_a_write_outside_the_app_marks_the_watch_stale_in_its_transaction():
    course = course_started(TherapistFactory(), today() - timedelta(days=30))
    assert not CourseWatch.objects.get(course=course).stale
    MeasureFactory(course=course)  # the factory saves through the ORM only
    assert CourseWatch.objects.get(course=course).stale
    watch.refresh_due(TreatmentCourse.objects.all())
    assert_same(course.pk)
    with connection.cursor() as cursor:  # even raw SQL, two foreign keys away
        cursor.execute(
            "UPDATE ipt_problemarea SET rationale = 'x' WHERE course_id = %s", [course.pk]
        )
    ProblemAreaFactory(course=course)
    watch.refresh_due(TreatmentCourse.objects.all())
    area = course.problem_areas.get()
    area.goals.create(text="Feel at home in the new role.")
    assert CourseWatch.objects.get(course=course).stale


def test_the_model_methods_leave_the_watch_fresh():
    therapist = TherapistFactory()
    course = course_started(therapist, today() - timedelta(days=40))
    assert_same(course.pk)
    Session.plan_course(course, weekday=0, at=time(10), start=course.start_date)
    assert_same(course.pk)
    first = course.sessions.get(number=1)
    first._change(status=Session.Status.HELD)
    assert_same(course.pk)
    first.record_phq9([2, 2, 2, 2, 2, 2, 2, 2, 1], by=therapist)
    assert_same(course.pk)
    assert stored(course.pk)["risk_kind"] == "unassessed"
    SupervisionFeedback.give(course, None, author=therapist.supervisor, text="Keep going.")
    assert stored(course.pk)["feedback_open"] == 1
    course.feedback.get().acknowledge()
    assert_same(course.pk)
    assert stored(course.pk)["feedback_open"] == 0


def test_a_list_refreshes_a_course_when_a_session_date_passes():
    therapist = TherapistFactory()
    course = course_started(therapist, today() - timedelta(days=8))
    SessionFactory(
        course=course,
        number=1,
        status=Session.Status.PLANNED,
        scheduled_for=timezone.make_aware(datetime.combine(today(), time(23, 59))),
    )
    watch.refresh_due(TreatmentCourse.objects.all())
    row = CourseWatch.objects.get(course=course)
    assert row.recheck_on == today() + timedelta(days=1)
    assert not watch.due(TreatmentCourse.objects.all(), today()).exists()
    tomorrow = today() + timedelta(days=1)
    assert watch.due(TreatmentCourse.objects.all(), tomorrow).exists()


def test_overdue_is_a_date_compared_with_today():
    course = course_started(TherapistFactory(), date(2026, 1, 5))
    row = CourseWatch.objects.get(course=course)
    assert row.overdue_from == date(2026, 1, 16)  # more than ten days without a session held
    assert row.overdue_on(date(2026, 1, 16)) and not row.overdue_on(date(2026, 1, 15))


def test_the_command_rebuilds_every_course():
    therapist = TherapistFactory()
    courses = [course_started(therapist, today() - timedelta(days=20)) for _ in range(3)]
    CourseWatch.objects.all().delete()
    call_command("rebuild_course_watch", verbosity=0)
    for course in courses:
        assert_same(course.pk)


def test_today_lists_feedback_until_the_therapist_acknowledges_it(client_for, owner):
    course = course_started(owner, today() - timedelta(days=3))
    client = client_for(owner)
    assert "New supervision feedback" not in client.get("/").text
    feedback = SupervisionFeedback.give(course, None, author=owner.supervisor, text="See me.")
    page = client.get("/").text
    assert "New supervision feedback" in page
    assert "1 note from your supervisor to read and acknowledge" in page
    feedback.acknowledge()
    assert "New supervision feedback" not in client.get("/").text


def test_the_caseload_shows_risk_from_the_stored_watch(client_for, owner):
    course = course_started(owner, today() - timedelta(days=3))
    MeasureResponse.record(
        course, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2], taken_on=today(), by=owner
    )  # fmt: skip
    page = client_for(owner).get("/patients/").text
    assert "Assess risk: PHQ-9 item 9 scored 2" in page
    RiskAssessmentFactory(course=course, assessed_on=today(), level=RiskAssessment.Level.HIGH)
    page = client_for(owner).get("/patients/").text
    assert "Assess risk" not in page and "Risk high" in page


def test_today_lists_follow_ups_due_in_the_next_fortnight(client_for, owner):
    from ipt.termination.models import FollowUp, MaintenanceContract

    course = CourseFactory(patient__therapist=owner, phase=Phase.COMPLETED, ended_on=today())
    contract = MaintenanceContract.objects.create(
        course=course, agreed_on=today(), interval_months=1, number_of_followups=2
    )
    FollowUp.objects.create(maintenance=contract, due_on=today() + timedelta(days=10))
    FollowUp.objects.create(maintenance=contract, due_on=today() + timedelta(days=40))
    FollowUp.objects.create(
        maintenance=contract, kind=FollowUp.Kind.BOOSTER, due_on=today() - timedelta(days=2)
    )
    page = client_for(owner).get("/").text
    assert "Follow-ups and boosters due" in page
    assert page.count(f"{course.patient.full_name}: follow-up") == 1  # not the one in 40 days
    assert f"{course.patient.full_name}: booster session" in page
    assert "Due since" in page
