"""Every URL is closed to anonymous visitors, and every patient URL to strangers.

The ownership table below must name every URL that takes an object's id: a new view left out
of it makes ``test_every_object_url_has_an_ownership_case`` fail.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import get_converters

from ipt.models import (
    AccessEvent,
    FollowUp,
    MaintenanceContract,
    RelapsePreventionPlan,
    RelapseTrigger,
    SupervisionFeedback,
)
from sessions_app.models import Homework, InterpersonalEvent
from tests.factories import (
    ContractFactory,
    CourseFactory,
    InventoryPersonFactory,
    LifeEventFactory,
    MeasureFactory,
    ProblemAreaFactory,
    SessionFactory,
)

# URLs open to everyone (login itself, static files in DEBUG, the admin's own login).
PUBLIC = {
    "login",
    "favicon",
    "admin:login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
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


def _session(w):
    return {"pk": w["session"].pk}


# READ: the care team reads (supervisor too); WRITE: only the treating therapist;
# SUPERVISE: only the therapist's supervisor (the therapist gets 403). Strangers always 404.
READ, WRITE, SUPERVISE = "read", "write", "supervise"

OWNERSHIP = {
    "patients:detail": ("get", lambda w: {"pk": w["patient"].pk}, READ),
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
    "course:formulation": ("get", _course, READ),
    "course:contract": ("get", _course, READ),
    "course:contract_sign": ("post", _course, WRITE),
    "course:contract_amend": ("post", _course, WRITE),
    "course:contract_pdf": ("get", lambda w: {**_course(w), "version": 1}, READ),
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
    "sessions_app:finalise": ("post", _session, WRITE),
    "sessions_app:addendum": ("post", _session, WRITE),
    "course:progress_review": ("get", _course, READ),
    "course:closeness_at_end": ("get", _course, READ),
    "course:complete": ("post", _course, WRITE),
    "course:summary_pdf": ("get", _course, READ),
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
    "session_ratings": ("get", _session, SUPERVISE),
}


def test_every_object_url_has_an_ownership_case():
    needing = {
        name
        for name, route, _ in iter_patterns()
        if name and "<" in route and not name.startswith("admin:") and name not in PUBLIC
    }
    missing = needing - OWNERSHIP.keys()
    assert not missing, f"add ownership cases for: {sorted(missing)}"


@pytest.fixture
def world(patient):
    course = CourseFactory(patient=patient)
    person = InventoryPersonFactory(course=course)
    session = SessionFactory(course=course, number=1)
    return {
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
        "session_event": InterpersonalEvent.objects.create(session=session, person=person),
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
    }


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


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
def test_owner_can_open(client_for, owner, world, name):
    response = _request(client_for(owner), name, world)
    expected = (403,) if OWNERSHIP[name][2] == SUPERVISE else (200, 302)
    assert response.status_code in expected


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
@pytest.mark.parametrize("who", ["colleague", "stranger"])
def test_other_therapists_get_404(client_for, request, world, name, who):
    response = _request(client_for(request.getfixturevalue(who)), name, world)
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
def test_supervisor_reads_and_supervises_but_never_writes(client_for, supervisor, world, name):
    response = _request(client_for(supervisor), name, world)
    mode = OWNERSHIP[name][2]
    if mode == WRITE:
        assert response.status_code == 403
    elif mode == SUPERVISE:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
def test_each_view_of_patient_data_is_recorded(client_for, owner, supervisor, world, name):
    user = supervisor if OWNERSHIP[name][2] == SUPERVISE else owner
    _request(client_for(user), name, world)
    event = AccessEvent.objects.latest("at")
    assert event.user == user
    assert event.patient == world["patient"]
    assert event.ip_address == "127.0.0.1"
