"""Every URL is closed to anonymous visitors, and every patient URL to strangers.

The ownership table below must name every URL that takes an object's id: a new view left out
of it makes ``test_every_object_url_has_an_ownership_case`` fail.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import get_converters

from ipt.models import AccessEvent
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


OWNERSHIP = {
    "patients:detail": ("get", lambda w: {"pk": w["patient"].pk}, False),
    "patients:edit": ("get", lambda w: {"pk": w["patient"].pk}, True),
    "course_start": ("get", lambda w: {"patient_pk": w["patient"].pk}, True),
    "course:overview": ("get", _course, False),
    "course:enter_middle": ("post", _course, True),
    "course:end_early": ("get", _course, True),
    "course:enter_termination": ("post", _course, True),
    "course:suitability": ("get", _course, False),
    "course:diagnosis": ("get", _course, False),
    "course:measure_new": ("get", lambda w: {**_course(w), "instrument": "phq9"}, False),
    "course:measure_detail": (
        "get",
        lambda w: {**_course(w), "measure_pk": w["measure"].pk},
        False,
    ),
    "course:risk_new": ("get", _course, False),
    "course:sick_role": ("get", _course, False),
    "course:sick_role_pdf": ("get", _course, False),
    "course:inventory": ("get", _course, False),
    "course:person_detail": ("get", lambda w: {**_course(w), "person_pk": w["person"].pk}, False),
    "course:person_edit": ("get", lambda w: {**_course(w), "person_pk": w["person"].pk}, True),
    "course:person_delete": ("post", lambda w: {**_course(w), "person_pk": w["person"].pk}, True),
    "course:timeline": ("get", _course, False),
    "course:event_edit": ("get", lambda w: {**_course(w), "event_pk": w["event"].pk}, True),
    "course:event_delete": ("post", lambda w: {**_course(w), "event_pk": w["event"].pk}, True),
    "course:problem_areas": ("get", _course, False),
    "course:problem_area_new": ("get", _course, True),
    "course:problem_area_edit": ("get", lambda w: {**_course(w), "area_pk": w["area"].pk}, True),
    "course:problem_area_delete": ("post", lambda w: {**_course(w), "area_pk": w["area"].pk}, True),
    "course:formulation": ("get", _course, False),
    "course:contract": ("get", _course, False),
    "course:contract_sign": ("post", _course, True),
    "course:contract_amend": ("post", _course, True),
    "course:contract_pdf": ("get", lambda w: {**_course(w), "version": 1}, False),
    "sessions_app:course_sessions": ("get", _course, False),
    "sessions_app:detail": ("get", _session, False),
    "sessions_app:status": ("post", _session, True),
    "sessions_app:reschedule": ("post", _session, True),
    "sessions_app:phq9": ("post", _session, True),
    "sessions_app:mood": ("post", _session, True),
    "sessions_app:techniques": ("post", _session, True),
    "sessions_app:dispute_stage": (
        "post",
        lambda w: {**_session(w), "area_pk": w["dispute"].pk},
        True,
    ),
    "sessions_app:add_row": ("post", lambda w: {**_session(w), "kind": "event"}, True),
    "sessions_app:update_row": (
        "post",
        lambda w: {**_session(w), "kind": "event", "row_pk": w["session_event"].pk},
        True,
    ),
    "sessions_app:delete_row": (
        "post",
        lambda w: {**_session(w), "kind": "event", "row_pk": w["session_event"].pk},
        True,
    ),
    "sessions_app:review_homework": (
        "post",
        lambda w: {**_session(w), "homework_pk": w["homework"].pk},
        True,
    ),
    "sessions_app:autosave": ("post", _session, True),
    "sessions_app:finalise": ("post", _session, True),
    "sessions_app:addendum": ("post", _session, True),
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
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
@pytest.mark.parametrize("who", ["colleague", "stranger"])
def test_other_therapists_get_404(client_for, request, world, name, who):
    response = _request(client_for(request.getfixturevalue(who)), name, world)
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
def test_supervisor_reads_but_never_writes(client_for, supervisor, world, name):
    response = _request(client_for(supervisor), name, world)
    writes = OWNERSHIP[name][2]
    assert response.status_code == (403 if writes else 200)


@pytest.mark.parametrize("name", sorted(OWNERSHIP))
def test_each_view_of_patient_data_is_recorded(client_for, owner, world, name):
    _request(client_for(owner), name, world)
    event = AccessEvent.objects.latest("at")
    assert event.user == owner
    assert event.patient == world["patient"]
    assert event.ip_address == "127.0.0.1"
