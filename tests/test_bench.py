"""The benchmark's seeding and measuring, at a tiny scale (`make bench` runs it at clinic scale)."""

import asyncio

import pytest
from django.test import Client

from ipt.devtools import bench
from ipt.devtools.bench import http
from ipt.devtools.bench.grow import grow
from ipt.devtools.bench.timing import (
    Result,
    _outcomes_reports,
    bench_settings,
    group,
    measure,
    pick_targets,
    slope,
    table,
)
from ipt.models import (
    InventoryPerson,
    MeasureResponse,
    Phase,
    ProblemArea,
    Role,
    TreatmentContract,
    TreatmentCourse,
    User,
)
from sessions_app.models import CourseWatch, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    return bench.seed(supervisors=1, therapists=2, courses=5, sessions=40)


def test_seeds_the_clinic_asked_for(clinic):
    assert User.objects.filter(role=Role.SUPERVISOR).count() == 1
    assert User.objects.filter(role=Role.THERAPIST, supervisor=clinic.supervisors[0]).count() == 2
    assert TreatmentCourse.objects.count() == 5
    assert Session.objects.count() == 40
    assert clinic.counts["sessions"] == 40


def test_seeded_courses_are_consistent(clinic):
    for course in TreatmentCourse.objects.with_initial_phase():
        assert course.suitability_or_none and course.diagnosis_or_none
        assert course.baseline_phq9 is not None
        assert 3 <= len(course.inventory.all()) <= 6
        assert 1 <= len(course.problem_areas.all()) <= ProblemArea.MAX_PER_COURSE
        numbers = list(course.sessions.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        if course.phase != Phase.INITIAL:
            assert course.signed_contract is not None
            assert course.transitions.exists()
    # Session data points only at records of its own course.
    for session in Session.objects.exclude(phq9=None).select_related("phq9"):
        assert session.phq9.course_id == session.course_id
        assert session.status == Session.Status.HELD
    for person in InventoryPerson.objects.filter(problem_areas__isnull=False):
        assert person.problem_areas.get().course_id == person.course_id
    assert all(sum(m.answers) == m.total for m in MeasureResponse.objects.all())
    assert TreatmentContract.objects.filter(signed_at__isnull=False).exists()


def test_measures_a_page_and_the_floor(clinic):
    with bench_settings():
        targets = pick_targets(clinic.supervisors[0])
        client = Client()
        client.force_login(targets.therapist)
        floor, floor_queries = measure(client, ["/__floor__/"], 2)
        page, page_queries = measure(client, targets.sessions[:1], 2)
    assert len(floor) == len(page) == 2
    assert all(ms > 0 for ms in floor + page)
    assert floor_queries[0] >= 1 and page_queries[0] > floor_queries[0]
    results = [
        Result("Floor", "therapist", "–", floor, floor_queries),
        Result("Session page", "therapist", "1 session", page, page_queries),
    ]
    assert results[1].p95 >= results[1].median > 0
    assert "| Session page | therapist | 1 session | 2 |" in table(results)


def test_the_caseload_review_is_grouped_to_the_size_asked_for(clinic):
    therapists, courses = group(clinic, 1)
    assert therapists == 1
    supervisor = clinic.supervisors[0]
    assert TreatmentCourse.objects.visible_to(supervisor).count() == courses < 5
    assert group(clinic, 5) == (2, 5)
    assert TreatmentCourse.objects.visible_to(supervisor).count() == 5


def test_the_slope_is_milliseconds_per_thousand_courses():
    def review(courses, ms):
        return Result("Caseload review (dashboard)", "supervisor", "", [ms], (1, 1), courses)

    results = [review(100, 50.0), review(1100, 60.0), review(2100, 70.0)]
    assert slope(results, "Caseload review (dashboard)") == pytest.approx(10.0)
    assert "+10.00 ms per 1,000 courses" in table([review(None, 5.0), *results])


def test_the_load_client_keeps_connections_busy_and_counts_errors():
    async def serve(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        status = b"200 OK" if b"GET /ok " in request else b"500 Oops"
        writer.write(
            b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
        )
        await writer.drain()
        writer.close()

    async def scenario():
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            ok = await http.hammer(
                port, lambda i, n: http.request(port, "GET", "/ok"), connections=3, seconds=0.3
            )
            bad = await http.hammer(
                port, lambda i, n: http.request(port, "GET", "/bad"), connections=2, seconds=0.2
            )
        return ok, bad

    ok, bad = asyncio.run(scenario())
    assert len(ok.times) > 3 and ok.errors == 0 and ok.rate > 0
    assert ok.percentile(50) <= ok.percentile(99)
    assert bad.errors == len(bad.times) > 0 and set(bad.statuses) == {500}


def test_the_clinic_is_copied_for_the_larger_caseload_reviews(clinic):
    sessions, watches = Session.objects.count(), CourseWatch.objects.count()
    assert grow(clinic, 2) == 10
    assert TreatmentCourse.objects.count() == 15 and len(clinic.therapists) == 6
    assert Session.objects.count() == 3 * sessions
    assert CourseWatch.objects.count() == 3 * watches
    assert not CourseWatch.objects.filter(stale=True).exists()
    assert group(clinic, 15) == (6, 15)
    assert TreatmentCourse.objects.visible_to(clinic.supervisors[0]).count() == 15


def test_the_outcomes_report_is_timed_at_clinic_level_and_for_one_supervisor(clinic):
    results = []

    def add(page, client, user, data, urls, minimum=5, courses=None):
        samples, queries = measure(client, urls, 2, minimum=1)
        results.append(Result(page, user, data, samples, queries, courses))
        assert client.get(urls[0]).status_code == 200

    with bench_settings():
        _outcomes_reports(add, clinic, size=5)
    assert [r.page for r in results] == [
        "Outcomes report (clinic level)",
        "Outcomes report, one supervisor's therapists",
    ]
    assert results[0].data == "5 courses" and results[1].data == "2 therapists, 5 courses"
    assert all(r.median > 0 and r.queries[0] > 0 for r in results)
