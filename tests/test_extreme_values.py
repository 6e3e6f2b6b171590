"""No page, chart or PDF fails on stored data, however odd.

A course with a row of every kind (test_access_control's populated world, in its termination
phase) is filled straight in the database, column by column, with what no form would accept:
dates of 0001-01-01 or 9999-12-31, texts as long as the column holds (4,000 characters where it
has no limit: enough to run over pages, short enough to lay out quickly), right-to-left text and emoji, the same words repeated. A column that refuses
a value (a constraint, a signed document's trigger) keeps what it had. Then every page of the
course and every PDF is opened, as the therapist and as the supervisor: each answers 200, and a
PDF is a PDF.
"""

import itertools
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, models, transaction
from django.urls import reverse

import tests.test_access_control as ac
from ipt.models import TreatmentCourse
from tests.factories import SupervisorFactory, TherapistFactory
from tests.test_course_summary import prepared_summary

EARLIEST, LATEST = date(1, 1, 1), date(9999, 12, 31)
# A day inside the calendar, so that a time zone's offset cannot carry it outside.
EARLIEST_AT = datetime(1, 1, 2, tzinfo=UTC)
LATEST_AT = datetime(9999, 12, 30, tzinfo=UTC)

# Right-to-left (Hebrew, Arabic, an override mark), emoji with joiners, and a word repeated.
MIXED = "שלום עולם مرحبا بالعالم \u202e 😀👨‍👩‍👧‍👦🏳️‍🌈 " + "again " * 20
LONG_TEXT = 4_000

APPS = ("ipt", "patients", "sessions_app")


def _text(length):
    return "".join(itertools.islice(itertools.cycle(MIXED), length))


def _extreme(field, late):
    """The value a column is filled with, or None where it keeps its own."""
    if field.primary_key or field.is_relation or getattr(field, "choices", None):
        return None
    if isinstance(field, models.DateTimeField):
        return LATEST_AT if late else EARLIEST_AT
    if isinstance(field, models.DateField):
        return LATEST if late else EARLIEST
    if isinstance(field, (models.CharField, models.TextField)) and not isinstance(
        field, (models.EmailField, models.GenericIPAddressField)
    ):
        return _text(field.max_length or LONG_TEXT)
    return None


def _fill_every_column(late):
    """Every row of the clinical record, every column it allows, one column at a time."""
    filled = 0
    for model in apps.get_models():
        if model._meta.app_label not in APPS or not model._meta.managed or model._meta.proxy:
            continue
        if model.__module__.startswith("ipt.accounts"):
            continue  # staff accounts and the audit trail: the login must keep working
        for field in model._meta.concrete_fields:
            value = _extreme(field, late)
            if value is None:
                continue
            try:
                with transaction.atomic():
                    filled += model.objects.update(**{field.attname: value})
            except (IntegrityError, DatabaseError):
                pass  # a constraint or a trigger that keeps the record sound: as it should
    return filled


@pytest.fixture(params=["earliest", "latest"])
def extreme_world(request, db):
    supervisor = SupervisorFactory(username="xv-supervisor")
    owner = TherapistFactory(username="xv-owner", supervisor=supervisor)
    world = ac._populated_world(owner, supervisor)
    assert _fill_every_column(late=request.param == "latest") > 100
    return {**world, "supervisor": supervisor}


def _course_urls(world):
    course = world["course"]
    kw = {"pk": course.pk}
    urls = [
        reverse("home"),
        reverse("patients:caseload"),
        reverse("patients:detail", kwargs={"pk": world["patient"].pk}),
        reverse("patients:edit", kwargs={"pk": world["patient"].pk}),
        reverse("sessions_app:detail", kwargs={"pk": world["session"].pk}),
    ]
    urls += [
        reverse(f"course:{name}", kwargs=kw)
        for name in (
            "overview",
            "suitability",
            "diagnosis",
            "risk_new",
            "sick_role",
            "inventory",
            "timeline",
            "problem_areas",
            "formulation",
            "contract",
            "progress_review",
            "closeness_at_end",
            "relapse_plan",
            "maintenance",
            "end_early",
        )
    ]
    urls += [
        reverse("course:measure_new", kwargs={**kw, "instrument": "phq9"}),
        reverse("course:measure_detail", kwargs={**kw, "measure_pk": world["measure"].pk}),
        reverse("course:person_detail", kwargs={**kw, "person_pk": world["person"].pk}),
        reverse("course:person_edit", kwargs={**kw, "person_pk": world["person"].pk}),
        reverse("course:event_edit", kwargs={**kw, "event_pk": world["event"].pk}),
        reverse("course:problem_area_edit", kwargs={**kw, "area_pk": world["area"].pk}),
        reverse("course:trigger_edit", kwargs={**kw, "trigger_pk": world["trigger"].pk}),
        reverse("course:followup", kwargs={**kw, "followup_pk": world["followup"].pk}),
        reverse("sessions_app:course_sessions", kwargs=kw),
    ]
    return urls


def _pdf_urls(world):
    kw = {"pk": world["course"].pk}
    return [
        reverse("course:contract_pdf", kwargs={**kw, "version": world["contract"].version}),
        reverse("course:sick_role_pdf", kwargs=kw),
        reverse("course:relapse_plan_pdf", kwargs=kw),
    ]


def _assert_pdf(response, url):
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    body = b"".join(response) if response.streaming else response.content
    assert response["Content-Type"] == "application/pdf", url
    assert body.startswith(b"%PDF-") and b"%%EOF" in body[-1024:], f"{url} is no PDF"


def test_every_page_of_an_extreme_course_opens_for_the_therapist(client_for, extreme_world):
    client = client_for(extreme_world["owner"])
    failures = []
    for url in _course_urls(extreme_world):
        status = client.get(url).status_code
        if status != 200:
            failures.append(f"{url} answered {status}")
    assert not failures, "\n".join(failures)


def test_every_pdf_of_an_extreme_course_is_a_pdf(client_for, extreme_world):
    client = client_for(extreme_world["owner"])
    for url in _pdf_urls(extreme_world):
        _assert_pdf(client.get(url), url)
    _assert_pdf(prepared_summary(client, extreme_world["course"]), "course summary")


def test_the_supervisors_reviews_of_an_extreme_course_open(client_for, extreme_world):
    client = client_for(extreme_world["supervisor"])
    course = extreme_world["course"]
    for url in [
        reverse("dashboard"),
        reverse("dashboard") + "?closed=on",
        reverse("dashboard_csv"),
        reverse("course:review", kwargs={"pk": course.pk}),
        reverse("course:overview", kwargs={"pk": course.pk}),
        reverse("session_ratings", kwargs={"pk": extreme_world["session"].pk}),
        reverse("home"),
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{url} answered {response.status_code}"


def test_the_termination_pages_of_an_extreme_closed_course_open(client_for, extreme_world):
    """Completed, and ended early: the closed course's pages and PDFs still open."""
    course = extreme_world["course"]
    client = client_for(extreme_world["owner"])
    for phase, reason in [("completed", ""), ("ended_early", "drop_out")]:
        TreatmentCourse.objects.filter(pk=course.pk).update(
            phase=phase, end_reason=reason, ended_on=course.start_date
        )
        for url in _course_urls(extreme_world):
            status = client.get(url).status_code
            assert status in (200, 403), f"{phase}: {url} answered {status}"
        for url in _pdf_urls(extreme_world):
            _assert_pdf(client.get(url), url)
        _assert_pdf(prepared_summary(client, course), f"{phase}: course summary")
