from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from ipt.models import (
    Diagnosis,
    Formulation,
    InventoryPerson,
    LifeEvent,
    MeasureResponse,
    ProblemArea,
    RiskAssessment,
    Role,
    SickRole,
    SuitabilityScreen,
    TreatmentContract,
    TreatmentCourse,
    User,
    Variant,
)
from patients.models import Patient
from sessions_app.models import (
    CommunicationAnalysis,
    Homework,
    InterpersonalEvent,
    Session,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.THERAPIST
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR


class TherapistFactory(UserFactory):
    role = Role.THERAPIST
    supervisor = factory.SubFactory(SupervisorFactory)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    therapist = factory.SubFactory(TherapistFactory)
    full_name = factory.Faker("name")
    date_of_birth = date(1985, 5, 17)
    phone = "07700 900000"
    emergency_contact_name = "Next of Kin"
    emergency_contact_phone = "07700 900001"
    referral_source = "GP"
    referral_reason = "Low mood for several months."


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentCourse

    patient = factory.SubFactory(PatientFactory)
    variant = Variant.INDIVIDUAL
    planned_sessions = 12
    session_minutes = 50
    initial_phase_sessions = 3
    start_date = date(2026, 9, 7)


class SuitabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuitabilityScreen

    course = factory.SubFactory(CourseFactory)
    screened_on = date(2026, 9, 7)
    screened_by = factory.LazyAttribute(lambda o: o.course.patient.therapist)


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    course = factory.SubFactory(CourseFactory)
    disorder = Diagnosis.Disorder.MDD
    episode = Diagnosis.Episode.SINGLE
    severity = Diagnosis.Severity.MODERATE
    onset = date(2026, 5, 1)
    diagnosed_on = date(2026, 9, 7)
    explained_as_illness = True


class MeasureFactory(factory.django.DjangoModelFactory):
    """A PHQ-9; pass ``answers`` to set the items (item 9 last)."""

    class Meta:
        model = MeasureResponse

    course = factory.SubFactory(CourseFactory)
    instrument_code = "phq9"
    answers = (2, 2, 2, 2, 1, 2, 1, 1, 0)
    total = factory.LazyAttribute(lambda o: sum(o.answers))
    taken_on = date(2026, 9, 7)
    recorded_by = factory.LazyAttribute(lambda o: o.course.patient.therapist)


class SickRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SickRole

    course = factory.SubFactory(CourseFactory)
    given_on = date(2026, 9, 7)
    excused = "Hosting the family on Sundays."
    commitments = "Coming every week and trying the agreed actions."


class InventoryPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryPerson

    course = factory.SubFactory(CourseFactory)
    name = factory.Faker("first_name")
    relationship = "friend"
    closeness = 2


class LifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEvent

    course = factory.SubFactory(CourseFactory)
    happened_on = date(2026, 4, 1)
    description = "Made redundant"
    kind = LifeEvent.Kind.ROLE_CHANGE


class ProblemAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemArea

    course = factory.SubFactory(CourseFactory)
    area = ProblemArea.Area.ROLE_TRANSITION
    rationale = "Depression began after the job loss."
    from_role = "warehouse manager"
    to_role = "job seeker"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentContract

    course = factory.SubFactory(CourseFactory)
    focal_areas = "Role transition from warehouse manager to job seeker"
    goals = "Mourn and accept the loss of the old role.\nBuild mastery in the new role."
    number_of_sessions = 12
    weekday = 0
    session_time = time(10, 0)
    session_minutes = 50
    start_date = date(2026, 9, 7)
    expected_end_date = date(2026, 11, 23)
    sick_role = "Excused from hosting the family on Sundays."


def ready_for_middle_phase(course, *, sign=True):
    """Complete every initial-phase step of a course (signing the contract unless told not to)."""
    SuitabilityFactory(course=course)
    DiagnosisFactory(course=course)
    MeasureFactory(course=course)
    SickRoleFactory(course=course)
    InventoryPersonFactory(course=course)
    ProblemAreaFactory(course=course)
    Formulation.objects.create(
        course=course,
        text="The depression began when the conflict at home grew; we will work on it.",
        shared_on=date(2026, 9, 14),
    )
    contract = ContractFactory(course=course)
    if sign:
        contract.sign(
            patient_name=course.patient.full_name,
            patient_date=date(2026, 9, 21),
            therapist=course.patient.therapist,
            therapist_date=date(2026, 9, 21),
        )
    return course


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    number = factory.Sequence(lambda n: n + 1)
    scheduled_for = factory.LazyAttribute(
        lambda o: (
            timezone.make_aware(datetime.combine(o.course.start_date, time(10)))
            + timedelta(weeks=o.number - 1)
        )
    )
    status = Session.Status.HELD


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    """A documented suicide-risk assessment; pass ``measure`` for the PHQ-9 that prompted it."""

    class Meta:
        model = RiskAssessment

    course = factory.SubFactory(CourseFactory)
    assessed_on = date(2026, 9, 7)
    level = RiskAssessment.Level.LOW
    findings = "Passive thoughts, no plan or intent; protective factors: children, faith."
    safety_plan = "Call the crisis line; stay with a friend."
    actions_taken = "GP informed."
    assessed_by = factory.LazyAttribute(lambda o: o.course.patient.therapist)


class InterpersonalEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterpersonalEvent

    session = factory.SubFactory(SessionFactory)
    what_happened = "Argued with Maria about money."
    feelings = "Hurt, then guilty."


class CommunicationAnalysisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationAnalysis

    session = factory.SubFactory(SessionFactory)
    scene = "Kitchen, Sunday evening, both tired."
    verbatim = "'You never listen to me.'"


class HomeworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Homework

    set_in = factory.SubFactory(SessionFactory)
    action = "Ask Maria for a walk on Saturday and say what I need."


def pre_group_done(course):
    """The individual pre-group session of a group IPT course, its steps all recorded."""
    SuitabilityFactory(course=course)
    DiagnosisFactory(course=course)
    MeasureFactory(course=course)
    SickRoleFactory(course=course)
    InventoryPersonFactory(course=course)
    ProblemAreaFactory(course=course)
    return course


class GroupCourseFactory(CourseFactory):
    variant = Variant.GROUP
    planned_sessions = 9
    initial_phase_sessions = 1


class TherapyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.TherapyGroup"

    name = factory.Sequence(lambda n: f"Tuesday group {n}")
    lead = factory.SubFactory(TherapistFactory)
    venue = "Room 2"
    weekday = 1
    meets_at = time(14)
    start_date = date(2026, 9, 15)
