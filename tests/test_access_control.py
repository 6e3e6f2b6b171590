"""Every URL is closed to anonymous visitors, every patient URL to strangers, and every write
to anyone but the treating therapist.

The ownership table below must name every URL that takes an object's id: a new view left out
of it makes ``test_every_object_url_has_an_ownership_case`` fail, and
``test_no_write_escapes_access`` (generated from the URL conf, every route and every write
method) cannot build its URL either.

The users and their courses are built once for the module (``worlds``), in a transaction
rolled back at its end; each test runs in a savepoint inside it, so what one request changes
is gone before the next test.
"""

import re
from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import get_converters
from django.utils import timezone

from groups.models import GroupMember, GroupSession
from ipt.models import (
    AccessEvent,
    AuthEvent,
    FollowUp,
    MaintenanceContract,
    ParentCarer,
    Phase,
    PreparedExport,
    PreparedSummary,
    ProgressReview,
    RelapsePreventionPlan,
    RelapseTrigger,
    Role,
    SessionRating,
    SignIn,
    StaffChange,
    SupervisionFeedback,
    TreatmentCourse,
    User,
)
from sessions_app.calendarfeed.models import CalendarFeed
from sessions_app.models import (
    DecisionAnalysis,
    Homework,
    InterpersonalEvent,
    ParentSession,
    QuestionnaireLink,
    RateCounter,
    Session,
)
from tests.factories import (
    CommunicationAnalysisFactory,
    ContractFactory,
    CourseFactory,
    HomeworkFactory,
    InterpersonalEventFactory,
    InventoryPersonFactory,
    LifeEventFactory,
    MeasureFactory,
    PatientFactory,
    ProblemAreaFactory,
    RiskAssessmentFactory,
    SessionFactory,
    SupervisorFactory,
    TherapistFactory,
    TherapyGroupFactory,
    UserFactory,
    ready_for_middle_phase,
)

# URLs open to everyone (login itself, static files in DEBUG, the admin's own login; the
# patient's questionnaire, whose token is its only key: tests/test_questionnaire_link.py).
PUBLIC = {
    "login",
    "favicon",
    "admin:login",
    "sessions_app:questionnaire",
    "sessions_app:calendar_feed",
}
# How to fill a public route's parameters: a live questionnaire link of the populated world, so
# that a write to it by anyone is shown to change nothing.
PUBLIC_PARAMS = {
    "sessions_app:questionnaire": lambda w: {"token": w["questionnaire_token"]},
    "sessions_app:calendar_feed": lambda w: {"token": w["calendar_token"]},
}


def iter_patterns(resolvers=None, prefix="", namespace=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}" if entry.name else None,
                prefix + str(entry.pattern),
                entry,
            )


SAMPLES = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000000"}


def _sample_url(route):
    """Fill a route's converters with sample values so it can be requested."""
    converters = get_converters()

    def sample(match):
        name = match.group(1) or "str"
        return SAMPLES.get(name) or getattr(converters.get(name), "sample", "x")

    url = re.sub(r"<(?:(\w+):)?\w+>", sample, route)
    # regex routes (the admin's) keep only their literal prefix
    url = url.replace("^", "").replace("$", "")
    if "(" in url:
        url = url.split("(")[0]
    return "/" + url


ALL_ROUTES = [(name, route) for name, route, _ in iter_patterns()]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), ALL_ROUTES, ids=[r for _, r in ALL_ROUTES])
def test_anonymous_visitor_is_sent_to_login(client, name, route):
    if name in PUBLIC:
        pytest.skip("public by design")
    url = _sample_url(route)
    logins = (reverse("login"), reverse("admin:login"))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        assert response.url.startswith(logins), f"{url} redirected to {response.url}"


@pytest.mark.django_db
def test_expired_session_answers_htmx_with_401_and_no_redirect(client):
    response = client.post(reverse("patients:caseload"), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert "Location" not in response.headers


# --- ownership: name -> (method, kwargs from the world, writes?) -----------------------------
# "world" is a dict of objects belonging to the owner; see the `world` fixture.
def _course(w):
    return {"pk": w["course"].pk}


def _followup(w):
    return {"pk": w["course"].pk, "followup_pk": w["followup"].pk}


def _session(w):
    return {"pk": w["session"].pk}


# READ: the care team reads (supervisor too); WRITE: only the treating therapist;
# SUPERVISE: only the therapist's supervisor (the therapist gets 403). Strangers always 404.
READ, WRITE, SUPERVISE = "read", "write", "supervise"

OWNERSHIP = {
    "patients:detail": ("get", lambda w: {"pk": w["patient"].pk}, READ),
    "patients:access_log": ("get", lambda w: {"pk": w["patient"].pk}, READ),
    "patients:history": ("get", lambda w: {"pk": w["patient"].pk}, READ),
    "patients:edit": ("get", lambda w: {"pk": w["patient"].pk}, WRITE),
    "course_start": ("get", lambda w: {"patient_pk": w["patient"].pk}, WRITE),
    "course:overview": ("get", _course, READ),
    "course:enter_middle": ("post", _course, WRITE),
    "course:end_early": ("get", _course, WRITE),
    "course:enter_termination": ("post", _course, WRITE),
    "course:suitability": ("get", _course, READ),
    "course:diagnosis": ("get", _course, READ),
    "course:measure_new": ("get", lambda w: {**_course(w), "instrument": "phq9"}, READ),
    "course:measure_detail": (
        "get",
        lambda w: {**_course(w), "measure_pk": w["measure"].pk},
        READ,
    ),
    "course:risk_new": ("get", _course, READ),
    "course:sick_role": ("get", _course, READ),
    "course:sick_role_pdf": ("get", _course, READ),
    "course:inventory": ("get", _course, READ),
    "course:person_detail": ("get", lambda w: {**_course(w), "person_pk": w["person"].pk}, READ),
    "course:person_edit": ("get", lambda w: {**_course(w), "person_pk": w["person"].pk}, WRITE),
    "course:person_delete": ("post", lambda w: {**_course(w), "person_pk": w["person"].pk}, WRITE),
    "course:timeline": ("get", _course, READ),
    "course:event_edit": ("get", lambda w: {**_course(w), "event_pk": w["event"].pk}, WRITE),
    "course:event_delete": ("post", lambda w: {**_course(w), "event_pk": w["event"].pk}, WRITE),
    "course:problem_areas": ("get", _course, READ),
    "course:problem_area_new": ("get", _course, WRITE),
    "course:problem_area_edit": ("get", lambda w: {**_course(w), "area_pk": w["area"].pk}, WRITE),
    "course:problem_area_delete": (
        "post",
        lambda w: {**_course(w), "area_pk": w["area"].pk},
        WRITE,
    ),
    "course:problem_area_primary": (
        "post",
        lambda w: {**_course(w), "area_pk": w["area"].pk},
        WRITE,
    ),
    "course:formulation": ("get", _course, READ),
    "course:contract": ("get", _course, READ),
    "course:contract_draft": ("post", _course, WRITE),
    "course:contract_refresh": ("post", _course, WRITE),
    "course:contract_sign": ("post", _course, WRITE),
    "course:contract_amend": ("post", _course, WRITE),
    "course:contract_pdf": ("get", lambda w: {**_course(w), "version": 1}, READ),
    "course:contract_verify": ("post", _course, READ),
    "sessions_app:course_sessions": ("get", _course, READ),
    "sessions_app:detail": ("get", _session, READ),
    "sessions_app:status": ("post", _session, WRITE),
    "sessions_app:reschedule": ("post", _session, WRITE),
    "sessions_app:phq9": ("post", _session, WRITE),
    "sessions_app:mood": ("post", _session, WRITE),
    "sessions_app:techniques": ("post", _session, WRITE),
    "sessions_app:dispute_stage": (
        "post",
        lambda w: {**_session(w), "area_pk": w["dispute"].pk},
        WRITE,
    ),
    "sessions_app:focal_rating": (
        "post",
        lambda w: {**_session(w), "area_pk": w["dispute"].pk},
        WRITE,
    ),
    "sessions_app:add_row": ("post", lambda w: {**_session(w), "kind": "event"}, WRITE),
    "sessions_app:update_row": (
        "post",
        lambda w: {**_session(w), "kind": "event", "row_pk": w["session_event"].pk},
        WRITE,
    ),
    "sessions_app:delete_row": (
        "post",
        lambda w: {**_session(w), "kind": "event", "row_pk": w["session_event"].pk},
        WRITE,
    ),
    "sessions_app:review_homework": (
        "post",
        lambda w: {**_session(w), "homework_pk": w["homework"].pk},
        WRITE,
    ),
    "sessions_app:autosave": ("post", _session, WRITE),
    "sessions_app:decision_homework": (
        "post",
        lambda w: {**_session(w), "row_pk": w["decision"].pk},
        WRITE,
    ),
    "sessions_app:finalise": ("post", _session, WRITE),
    "sessions_app:addendum": ("post", _session, WRITE),
    "sessions_app:questionnaire_new": ("post", _session, WRITE),
    "sessions_app:questionnaire_send": ("post", _session, WRITE),
    "sessions_app:questionnaire_revoke": (
        "post",
        lambda w: {**_session(w), "link_pk": w["questionnaire_link"].pk},
        WRITE,
    ),
    "sessions_app:followup_questionnaire_new": ("post", _followup, WRITE),
    "sessions_app:followup_questionnaire_send": ("post", _followup, WRITE),
    "sessions_app:followup_questionnaire_revoke": (
        "post",
        lambda w: {**_followup(w), "link_pk": w["followup_link"].pk},
        WRITE,
    ),
    "course:progress_review": ("get", _course, READ),
    "course:closeness_at_end": ("get", _course, READ),
    "course:closeness_at_end_add": ("post", _course, WRITE),
    "course:complete": ("post", _course, WRITE),
    "course:summary": ("get", _course, READ),
    # The FHIR download: the treating therapist's alone (the supervisor gets 403).
    "course:fhir_export": ("get", _course, WRITE),
    "course:summary_download": (
        "get",
        lambda w: {**_course(w), "summary_pk": w["summary"].pk},
        READ,
    ),
    # The FHIR export of a period: whoever asked for it downloads it (the supervisor gets 403:
    # supervisors export nothing; everyone else, the clinic lead too, 404).
    "fhir_export_download": ("get", lambda w: {"export_pk": w["fhir_export"].pk}, WRITE),
    "course:relapse_plan": ("get", _course, READ),
    "course:trigger_new": ("post", _course, WRITE),
    "course:trigger_edit": ("get", lambda w: {**_course(w), "trigger_pk": w["trigger"].pk}, WRITE),
    "course:trigger_delete": (
        "post",
        lambda w: {**_course(w), "trigger_pk": w["trigger"].pk},
        WRITE,
    ),
    "course:relapse_plan_pdf": ("get", _course, READ),
    "course:maintenance": ("get", _course, READ),
    "course:followup": ("get", lambda w: {**_course(w), "followup_pk": w["followup"].pk}, READ),
    "course:review": ("get", _course, SUPERVISE),
    "course:feedback_new": ("post", _course, SUPERVISE),
    "course:feedback_acknowledge": (
        "post",
        lambda w: {**_course(w), "feedback_pk": w["feedback"].pk},
        WRITE,
    ),
    # IPT-A: the course's parents and carers, their consent, and the parent sessions.
    "course:parents": ("get", _course, READ),
    "course:parent_edit": ("get", lambda w: {**_course(w), "parent_pk": w["parent"].pk}, WRITE),
    "course:parent_consent": (
        "get",
        lambda w: {**_course(w), "parent_pk": w["parent"].pk},
        WRITE,
    ),
    "sessions_app:parent_session_new": ("get", _course, WRITE),
    "sessions_app:parent_session": ("get", lambda w: {"pk": w["parent_session"].pk}, READ),
    "sessions_app:parent_session_finalise": (
        "post",
        lambda w: {"pk": w["parent_session"].pk},
        WRITE,
    ),
    "session_ratings": ("get", _session, SUPERVISE),
    "session_self_rating": ("get", _session, WRITE),
    # A group: its lead (the owner) writes, the lead's supervisor reads, strangers learn nothing.
    "groups:detail": ("get", lambda w: {"pk": w["group"].pk}, READ),
    "groups:member_add": ("post", lambda w: {"pk": w["group"].pk}, WRITE),
    "groups:member_leave": (
        "post",
        lambda w: {"pk": w["group"].pk, "member_pk": w["group_member"].pk},
        WRITE,
    ),
    "groups:session_plan": ("post", lambda w: {"pk": w["group"].pk}, WRITE),
    "groups:session": (
        "get",
        lambda w: {"pk": w["group"].pk, "session_pk": w["group_session"].pk},
        READ,
    ),
    "groups:session_checklist": (
        "post",
        lambda w: {"pk": w["group"].pk, "session_pk": w["group_session"].pk},
        WRITE,
    ),
    "groups:session_correct": (
        "get",
        lambda w: {"pk": w["group"].pk, "session_pk": w["group_session"].pk},
        WRITE,
    ),
    "groups:session_finalise": (
        "post",
        lambda w: {"pk": w["group"].pk, "session_pk": w["group_session"].pk},
        WRITE,
    ),
    "groups:ending": ("get", lambda w: {"pk": w["group"].pk}, READ),
    "groups:ending_termination": ("post", lambda w: {"pk": w["group"].pk}, WRITE),
    "groups:to_middle": ("post", lambda w: {"pk": w["group"].pk}, WRITE),
}


def test_every_object_url_has_an_ownership_case():
    needing = {
        name
        for name, route, _ in iter_patterns()
        if name and "<" in route and not name.startswith("admin:") and name not in PUBLIC
    }
    missing = needing - OWNERSHIP.keys()
    assert not missing, f"add ownership cases for: {sorted(missing)}"


# --- the shared worlds -------------------------------------------------------------------------
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"  # as the conftest's fast_password_hashing


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """The users and the owner's courses, built once for the module.

    They live in a transaction held open for the module and rolled back at its end; each test
    runs in a savepoint inside it (pytest-django's per-test rollback), so a request that
    changes something is undone before the next test and nothing leaks to other modules.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=[MD5]):
                built = _build_worlds()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _build_worlds():
    supervisor = SupervisorFactory(username="ac-supervisor")
    owner = TherapistFactory(username="ac-owner", supervisor=supervisor)
    colleague = TherapistFactory(username="ac-colleague", supervisor=supervisor)
    CourseFactory(patient=PatientFactory(therapist=colleague))  # a caseload of their own
    users = {
        "supervisor": supervisor,
        "owner": owner,
        "colleague": colleague,
        "stranger": TherapistFactory(username="ac-stranger"),  # another supervision group
        # Another role altogether, with every flag a clinic admin has (the demo's is a superuser).
        "clinic_admin": UserFactory(
            username="ac-clinic-admin", role=Role.CLINIC_ADMIN, is_staff=True, is_superuser=True
        ),
        # Reads the clinic's aggregate outcomes only: no individual record at all.
        "clinic_lead": UserFactory(username="ac-clinic-lead", role=Role.CLINIC_LEAD),
    }
    return {
        "users": users,
        # Logged in once for the module: a test sends the session cookie and skips the login.
        "sessions": {who: _session_key(user) for who, user in users.items()},
        "initial": _initial_world(PatientFactory(therapist=owner, full_name="Pat Owner-Case")),
        "populated": _populated_world(owner, supervisor),
    }


def _session_key(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# The conftest's people, taken from the shared world for this module's tests.
@pytest.fixture
def supervisor(db, worlds):
    return worlds["users"]["supervisor"]


@pytest.fixture
def owner(db, worlds):
    return worlds["users"]["owner"]


@pytest.fixture
def colleague(db, worlds):
    return worlds["users"]["colleague"]


@pytest.fixture
def stranger(db, worlds):
    return worlds["users"]["stranger"]


@pytest.fixture
def clinic_lead(db, worlds):
    return worlds["users"]["clinic_lead"]


@pytest.fixture
def world(db, worlds):
    return worlds["initial"]


@pytest.fixture
def client_for(client, worlds):
    """The conftest's ``client_for(user)``, with the session logged in once for the module."""
    sessions = {worlds["users"][who].pk: key for who, key in worlds["sessions"].items()}

    def login(user):
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[user.pk]
        return client

    return login


def _initial_world(patient):
    """A course in its initial phase with one row of each kind the ownership table names."""
    course = CourseFactory(patient=patient)
    person = InventoryPersonFactory(course=course)
    session = SessionFactory(course=course, number=1)
    group = TherapyGroupFactory(lead=patient.therapist)
    world = {
        "group": group,
        "group_session": GroupSession.objects.create(
            group=group, number=1, scheduled_for=timezone.now() - timedelta(days=1)
        ),
        "group_member": GroupMember.objects.create(
            group=group, course=course, joined_on=course.start_date, added_by=patient.therapist
        ),
        "patient": patient,
        "course": course,
        "person": person,
        "event": LifeEventFactory(course=course, person=person),
        "area": ProblemAreaFactory(course=course),
        "measure": MeasureFactory(course=course),
        "contract": ContractFactory(course=course),
        "dispute": ProblemAreaFactory(
            course=course,
            area="role_dispute",
            person=person,
            dispute_stage="impasse",
            from_role="",
            to_role="",
        ),
        "session": session,
        "questionnaire_link": QuestionnaireLink.objects.create(
            session=session,
            token_hash="0" * 64,
            created_by=patient.therapist,
            expires_at=timezone.now() + timedelta(days=3),
        ),
        "session_event": InterpersonalEvent.objects.create(session=session, person=person),
        "decision": DecisionAnalysis.objects.create(session=session, person=person),
        "homework": Homework.objects.create(set_in=session, action="Ask Maria for a walk."),
        "trigger": RelapseTrigger.objects.create(
            plan=RelapsePreventionPlan.objects.create(
                course=course, written_on=course.start_date, if_symptoms_return="Call the clinic."
            ),
            trigger="Rows about money",
            warning_signs="Sleeping badly",
            coping="Ask for a calm talk",
        ),
        "followup": FollowUp.objects.create(
            maintenance=MaintenanceContract.objects.create(
                course=course, agreed_on=course.start_date
            ),
            due_on=course.start_date,
        ),
        "feedback": SupervisionFeedback.objects.create(
            course=course, author=patient.therapist.supervisor, text="Good focus on the dispute."
        ),
        "summary": _ready_summary(course),
        "fhir_export": _ready_export(course),
        **_parent_rows(course),
    }
    world["followup_link"] = _followup_link(world["followup"])
    return world


def _parent_rows(course):
    """A parent with consent recorded and a parent session (rows made directly: the world's
    course is not an adolescent's, and the routes must answer for any course)."""
    parent = ParentCarer.objects.create(
        course=course,
        name="Maria Case",
        relationship="mother",
        consent_on=course.start_date,
        consent_given_by="Maria Case",
        consent_to_sessions=True,
        adolescent_assent=True,
    )
    return {
        "parent": parent,
        "parent_session": ParentSession.objects.create(
            course=course,
            parent=parent,
            kind=ParentSession.Kind.PARENT,
            held_on=course.start_date,
            focus=ParentSession.Focus.PSYCHOEDUCATION,
            created_by=course.patient.therapist,
        ),
    }


def _populated_world(owner, supervisor):
    """A course well into treatment, with a row of every kind a URL names.

    The initial phase done and the contract signed (version 1), sessions held (the last with a
    PHQ-9 whose item 9 prompted a risk assessment, an interpersonal event, a communication
    analysis, and the review of homework set the week before), a role dispute, a life event,
    the termination phase entered, a progress review, a relapse-prevention plan with a trigger,
    a maintenance contract with a follow-up, and the supervisor's feedback and ratings. The
    course is still active, so a refused write is refused for who asks, not because the
    course is closed.
    """
    patient = PatientFactory(therapist=owner, full_name="Pat Termination-Phase")
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    area = course.problem_areas.get()
    area.set_goals(["Mourn and accept the loss of the old role.", "Build mastery in the new role."])
    course.enter_middle_phase(owner)
    person = InventoryPersonFactory(course=course, name="Maria", relationship="wife", closeness=1)
    dispute = ProblemAreaFactory(
        course=course,
        area="role_dispute",
        person=person,
        dispute_stage="impasse",
        from_role="",
        to_role="",
    )
    sessions = [SessionFactory(course=course, number=n) for n in (1, 2, 3)]
    session = sessions[-1]
    measure = MeasureFactory(
        course=course, answers=(1, 1, 1, 1, 1, 1, 1, 0, 1), taken_on=date(2026, 9, 21)
    )
    session.phq9 = measure
    session.save(update_fields=["phq9"])
    RiskAssessmentFactory(course=course, measure=measure, assessed_on=date(2026, 9, 21))
    homework = HomeworkFactory(set_in=sessions[1], person=person)
    CommunicationAnalysisFactory(session=session, person=person)
    course.enter_termination_phase(owner)
    plan = RelapsePreventionPlan.objects.create(
        course=course, written_on=date(2026, 11, 9), if_symptoms_return="Call the clinic."
    )
    maintenance = MaintenanceContract.objects.create(course=course, agreed_on=date(2026, 11, 16))
    ProgressReview.objects.create(
        course=course, reviewed_on=date(2026, 11, 9), what_helped="Saying what she needs."
    )
    SessionRating.objects.create(session=sessions[0], rater=supervisor, element="stance", score=4)
    upcoming = SessionFactory(
        course=course,
        number=4,
        status=Session.Status.PLANNED,
        scheduled_for=timezone.now() + timedelta(days=2),
    )
    link, token = QuestionnaireLink.create_for(upcoming, by=owner)
    _, calendar_token = CalendarFeed.create_for(owner)
    group = TherapyGroupFactory(lead=owner)
    world = {
        "group": group,
        "group_session": GroupSession.objects.create(
            group=group, number=1, scheduled_for=timezone.now() - timedelta(days=1)
        ),
        "group_member": GroupMember.objects.create(
            group=group, course=course, joined_on=course.start_date, added_by=owner
        ),
        "owner": owner,
        "patient": patient,
        "course": course,
        "person": person,
        "event": LifeEventFactory(course=course, person=person),
        "area": area,
        "measure": measure,
        "contract": course.signed_contract,
        "dispute": dispute,
        "session": session,
        "session_event": InterpersonalEventFactory(session=session, person=person),
        "decision": DecisionAnalysis.objects.create(session=session, person=person),
        "questionnaire_link": link,
        "questionnaire_token": token,
        "calendar_token": calendar_token,
        "homework": homework,
        "trigger": RelapseTrigger.objects.create(
            plan=plan,
            trigger="Rows about money",
            warning_signs="Sleeping badly",
            coping="Ask for a calm talk",
        ),
        "followup": FollowUp.objects.create(maintenance=maintenance, due_on=date(2027, 2, 16)),
        "feedback": SupervisionFeedback.objects.create(
            course=course, session=session, author=supervisor, text="Good focus on the dispute."
        ),
        "summary": _ready_summary(course),
        "fhir_export": _ready_export(course),
        **_parent_rows(course),
    }
    world["followup_link"] = _followup_link(world["followup"])
    return world


def _followup_link(followup):
    return QuestionnaireLink.objects.create(
        followup=followup,
        token_hash="1" * 64 if followup.due_on.year < 2027 else "2" * 64,
        created_by=followup.maintenance.course.patient.therapist,
        expires_at=timezone.now() + timedelta(days=3),
    )


def _ready_export(course):
    return PreparedExport.objects.create(
        requested_by=course.patient.therapist,
        scope=PreparedExport.Scope.OWN,
        start=course.start_date,
        end=course.start_date,
        course_ids=[course.pk],
        status=PreparedExport.Status.READY,
        bundle=b'{"resourceType":"Bundle","type":"collection"}',
    )


def _ready_summary(course):
    return PreparedSummary.objects.create(
        course=course,
        requested_by=course.patient.therapist,
        status=PreparedSummary.Status.READY,
        pdf=b"%PDF-1.7 a prepared course summary",
    )


# What a valid POST sends, where an empty one would be refused as malformed.
POST_DATA = {
    "sessions_app:autosave": {"target": "session", "field": "notes", "version": 0, "value": "x"},
}


def _request(client, name, world):
    method, kwargs, _ = OWNERSHIP[name]
    url = reverse(name, kwargs=kwargs(world))
    if method == "post":
        return client.post(url, POST_DATA.get(name, {}))
    return client.get(url)


def _assert_recorded(user, world):
    """The look (or change) left an AccessEvent naming who, which patient and from where."""
    event = AccessEvent.objects.latest("at")
    assert event.user == user
    assert event.patient == world["patient"]
    assert event.ip_address == "127.0.0.1"


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
def test_owner_can_open_and_is_recorded(client_for, owner, world, name):
    response = _request(client_for(owner), name, world)
    if OWNERSHIP[name][2] == SUPERVISE:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302)
        _assert_recorded(owner, world)


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
@pytest.mark.parametrize("who", ["colleague", "stranger", "clinic_lead"])
def test_other_therapists_get_404(client_for, request, world, name, who):
    response = _request(client_for(request.getfixturevalue(who)), name, world)
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
def test_supervisor_reads_and_supervises_but_never_writes(client_for, supervisor, world, name):
    response = _request(client_for(supervisor), name, world)
    mode = OWNERSHIP[name][2]
    if mode == WRITE:
        assert response.status_code == 403
        return
    assert response.status_code in ((200, 302) if mode == SUPERVISE else (200,))
    _assert_recorded(supervisor, world)


# --- no write escapes access, generated from the URL conf --------------------------------------
# Every route, every write method, three users who may read some of the owner's course or none
# of it: each write must be refused. 405 always counts as refused (the view does not take that
# method at all), so asking with every method is how the test finds what each view accepts.
WRITE_METHODS = ("post", "put", "patch", "delete")

REFUSED = {
    # The owner's supervisor reads the whole course but never changes it.
    "supervisor": {403, 405},
    # Another therapist under the same supervisor, with a caseload of their own: learns nothing.
    "colleague": {404, 405},
    # Another role altogether: the clinic admin (a staff superuser, as clinic admins are).
    "clinic_admin": {403, 404, 405},
    # The clinic lead reads aggregate outcomes and no individual record.
    "clinic_lead": {403, 404, 405},
}

EVERYONE = "everyone"

# The only writes these users may make; every other write must be refused. (name, who) -> why.
# The requests carry no data, so even an allowed write must leave the record as it was.
MAY_WRITE = {
    # Supervision's own writes: they add to the supervision record, never change the clinical
    # one. (Acknowledging feedback, course:feedback_acknowledge, is the treating therapist's
    # own: the supervisor who wrote the feedback is refused it like any other write.)
    ("course:feedback_new", "supervisor"): "the supervisor's feedback to the therapist",
    ("session_ratings", "supervisor"): "the supervisor's ratings of a session",
    # A print of the record, prepared in the background: the course's readers may ask for one.
    ("course:summary", "supervisor"): "prepares the course summary, a print of the record",
    # Reading, sent as a POST because it carries a file: compares it with the stored documents.
    ("course:contract_verify", "supervisor"): "verifies a copy of the contract, writes nothing",
    # A therapist adds patients to their own caseload; nobody else adds any.
    ("patients:create", "colleague"): "a new patient on the colleague's own caseload",
    ("patients:import", "colleague"): "a referral imported to the colleague's own caseload",
    # An export of one's own courses (the clinic lead's: the clinic's, pseudonymised), an
    # access to each record recorded, the export itself a file prepared, not the record.
    ("fhir_exports", "colleague"): "exports the colleague's own courses",
    ("fhir_exports", "clinic_lead"): "exports the clinic's courses, pseudonymised",
    ("sessions_app:calendar_new", "colleague"): "the colleague's own calendar address",
    ("sessions_app:calendar_revoke", "colleague"): "the colleague's own calendar address",
    ("groups:new", "colleague"): "a new group led by the colleague",
    # One's own account.
    ("logout", EVERYONE): "ends one's own login",
    ("password_change", EVERYONE): "one's own password",
    ("admin:logout", EVERYONE): "ends one's own login",
    ("mfa_setup", EVERYONE): "one's own second factor",
    ("stay_signed_in", EVERYONE): "keeps one's own login",
    ("mfa_verify", EVERYONE): "one's own second factor",
    ("mfa_recovery_codes", EVERYONE): "one's own recovery codes",
    ("end_sign_in", EVERYONE): "ends one's own login elsewhere",
}


def _may_write(name, route, who):
    """Whether ``who`` may write to this route (MAY_WRITE, the public pages, the admin)."""
    if (name, who) in MAY_WRITE or (name, EVERYONE) in MAY_WRITE or name in PUBLIC:
        return True
    # The Django admin is the clinic admin's: staff accounts, and the audit trail read-only
    # (test_the_admin_holds_no_clinical_record); everyone else is sent to its login.
    return route.startswith("admin/") and who == "clinic_admin"


def _refused(route, who, response):
    if response.status_code in REFUSED[who]:
        return True
    # Django's admin refuses non-staff users by sending them to its own login page.
    return (
        route.startswith("admin/")
        and response.status_code == 302
        and response.url.startswith(reverse("admin:login"))
    )


# Parameters of Django's own views (accounts, admin): any value reaches the view.
DJANGO_PARAMS = {
    "uidb64": lambda w: "MQ",
    "token": lambda w: "set-password",
    "object_id": lambda w: w["owner"].pk,
    "id": lambda w: w["owner"].pk,
    "content_type_id": lambda w: ContentType.objects.get_for_model(User).pk,
    "app_label": lambda w: "ipt",
    "url": lambda w: "no-such-page/",
}
PARAM = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def _route_params(route):
    return [m.group("name") or m.group("group") for m in PARAM.finditer(route)]


def _world_url(name, route, callback, world):
    """The route filled from the populated world; fails (never skips) when it cannot be."""
    params = _route_params(route)
    label = name or route
    try:
        if not params:
            kwargs = {}
        elif name in OWNERSHIP:
            kwargs = OWNERSHIP[name][1](world)
        elif name in PUBLIC_PARAMS:
            kwargs = PUBLIC_PARAMS[name](world)
        elif callback.__module__.startswith("django.") and set(params) <= DJANGO_PARAMS.keys():
            kwargs = {p: DJANGO_PARAMS[p](world) for p in params}
        else:
            pytest.fail(f"{label}: cannot build its URL; add an ownership case to OWNERSHIP")
    except KeyError as missing:
        pytest.fail(f"{label}: the populated world has no {missing}; add it to _populated_world")

    def fill(match):
        return str(kwargs[match.group("name") or match.group("group")])

    url = "/" + PARAM.sub(fill, route).replace("^", "").replace("$", "")
    match = resolve(url)
    assert match.func == callback and (name is None or match.view_name == name), (
        f"{label}: {url} reaches {match.view_name or match.func}, not this route"
    )
    return url


# The record: the tables of the app's models and of auth's, but the audit trail (a read leaves an
# AccessEvent, a refusal or a logout an AuthEvent, by design). Logins and their sessions are not
# in it, nor the course summaries prepared for printing (a print of the record, not part of it:
# a supervisor's request for one adds a row there).
RECORD_TABLES = sorted(
    {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ("auth", "ipt", "patients", "sessions_app")
        and model._meta.managed
        and not model._meta.proxy
        # the audit, who is signed in, prints of the record, the patient pages' rate counts,
        # and a therapist's own calendar address (their account's, not a patient's record)
        and model
        not in (
            AccessEvent,
            AuthEvent,
            SignIn,
            PreparedSummary,
            PreparedExport,
            RateCounter,
            CalendarFeed,
        )
    }
)


def _writes_so_far():
    """Rows inserted, updated or deleted in each record table so far in this transaction.

    PostgreSQL counts them per transaction (pg_stat_xact_user_tables), rolled-back savepoints
    included, so one cheap query tells whether a request wrote anything at all, even a row
    rewritten with the values it had.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(%s)",
            [RECORD_TABLES],
        )
        return dict(cursor.fetchall())


WRITE_ROUTES = list(iter_patterns())
WRITE_CASES = [(entry, who) for entry in WRITE_ROUTES for who in REFUSED]


@pytest.mark.parametrize(
    ("entry", "who"),
    WRITE_CASES,
    ids=[f"{name or route}-{who}" for (name, route, _), who in WRITE_CASES],
)
def test_no_write_escapes_access(db, worlds, entry, who):
    name, route, pattern = entry
    url = _world_url(name, route, pattern.callback, worlds["populated"])
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = worlds["sessions"][who]
    allowed = _may_write(name, route, who)
    problems = []
    before = _writes_so_far()
    for method in WRITE_METHODS:
        request = getattr(client, method)
        response = request(url, POST_DATA.get(name, {})) if method == "post" else request(url)
        if allowed:
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url} answered {response.status_code}")
        elif not _refused(route, who, response):
            problems.append(
                f"{method.upper()} {url} answered {response.status_code}: the {who} must be "
                f"refused with one of {sorted(REFUSED[who])}"
            )
        after = _writes_so_far()
        if changed := sorted(t for t in after if after[t] != before.get(t, 0)):
            problems.append(f"{method.upper()} {url} wrote to {', '.join(changed)}")
        before = after
    assert not problems, f"{who} at {name or route}:\n" + "\n".join(problems)


def test_the_populated_course_is_open_in_its_termination_phase(db, worlds):
    """Else the supervisor's writes would be refused for the closed course, not for who asks."""
    course = TreatmentCourse.objects.get(pk=worlds["populated"]["course"].pk)
    assert course.phase == Phase.TERMINATION
    assert course.is_active


def test_write_allow_list_names_real_routes():
    names = {name for name, _, _ in iter_patterns()}
    stale = sorted(name for name, _ in MAY_WRITE if name not in names)
    assert not stale, f"MAY_WRITE names routes that no longer exist: {stale}"
    assert {who for _, who in MAY_WRITE} <= {*REFUSED, EVERYONE}


def test_the_admin_holds_no_clinical_record():
    """The clinic admin may write through the Django admin (see _may_write) because it holds
    nothing but staff accounts, and the audit trail read-only."""
    lockout = {AccessAttempt, AccessLog, AccessFailureLog}  # django-axes: unlocking accounts
    assert set(admin.site._registry) <= {User, Group, AccessEvent, AuthEvent, StaffChange, *lockout}
    for model in (AccessEvent, AuthEvent, StaffChange):
        audit = admin.site._registry[model]
        assert not audit.has_add_permission(None)
        assert not audit.has_change_permission(None)
        assert not audit.has_delete_permission(None)
