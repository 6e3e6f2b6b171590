"""Timing the main pages on the benchmark clinic, for `manage.py bench`.

Each page is requested through Django's test Client (the whole middleware stack, the view,
the templates; no network) as the user who would open it, with DEBUG off as in production.
The floor is a minimal template response measured the same way in the same run, so a page's
time can be read against what any page costs. Query counts come from one warm-up request per
URL; the timed requests run without query capture. Several pages are rotated over different
courses so that no single record flatters the numbers.
"""

import math
import os
import platform
import statistics
import time
from dataclasses import dataclass

import django
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Min
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ipt.accounts.models import Role, User
from ipt.course.models import Phase, TreatmentCourse
from ipt.initial.contract import TreatmentContract
from sessions_app.models import Session


@dataclass
class Result:
    page: str
    user: str
    data: str
    samples: list  # milliseconds, one per timed request
    queries: tuple  # (fewest, most) queries of one request, over the URLs rotated through
    courses: int | None = None  # the caseload review's size, for its slope

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def p95(self):
        """95th percentile, nearest-rank: the value 95% of the requests did not exceed."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def query_range(self):
        low, high = self.queries
        return str(low) if low == high else f"{low}–{high}"


def bench_settings():
    """Production-like rendering (DEBUG off) and the URLs with the floor page."""
    return override_settings(
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF="ipt.devtools.bench.urls",
    )


def measure(client, urls, requests, *, warmup=1, budget=None, minimum=5):
    """Time GETs rotating over ``urls``: (milliseconds each, (fewest, most) queries).

    Every URL is first requested ``warmup`` times, once of them counting its queries. Then
    ``requests`` timed requests, or fewer once they have taken ``budget`` seconds (but never
    fewer than ``minimum``): a page that takes seconds does not hold the run up for minutes.
    """
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            _get(client, url)
        counts.append(len(captured.captured_queries))
        for _ in range(warmup - 1):
            _get(client, url)
    samples = []
    for i in range(requests):
        if budget is not None and i >= minimum and sum(samples) / 1000 >= budget:
            break
        url = urls[i % len(urls)]
        start = time.perf_counter()
        _get(client, url)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, (min(counts), max(counts))


def _get(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise CommandError(f"GET {url} answered {response.status_code}, not 200.")
    return response


@dataclass
class Targets:
    supervisor: User
    therapist: User
    courses: list  # course overview URLs
    reviews: list  # the supervisor's course review URLs
    sessions: list  # session page URLs
    contracts: list  # contract PDF URLs


def pick_targets(supervisor, how_many=10):
    """A supervisee with courses in the middle or termination phase, and those courses."""
    for therapist in supervisor.supervisees.order_by("pk"):
        courses = list(
            TreatmentCourse.objects.filter(
                patient__therapist=therapist, phase__in=[Phase.MIDDLE, Phase.TERMINATION]
            ).order_by("pk")[:how_many]
        )
        if courses:
            break
    else:
        raise CommandError("No supervisee has a course in the middle or termination phase.")
    sessions = [
        Session.objects.filter(course=c, status=Session.Status.HELD).order_by("-number").first()
        for c in courses
    ]
    contracts = TreatmentContract.objects.filter(course__in=courses, signed_at__isnull=False)
    return Targets(
        supervisor=supervisor,
        therapist=therapist,
        courses=[reverse("course:overview", args=[c.pk]) for c in courses],
        reviews=[reverse("course:review", args=[c.pk]) for c in courses],
        sessions=[reverse("sessions_app:detail", args=[s.pk]) for s in sessions if s],
        contracts=[
            reverse("course:contract_pdf", args=[c.course_id, c.version])
            for c in contracts.order_by("course_id", "version")
        ],
    )


def run(clinic, *, requests=30, budget=30, sizes=(100, 500, 2000, 10000), log=None):
    """Measure every page; returns the Results, floor first, then the caseload review at each
    size (its Results carry ``courses``).

    Each page gets ``requests`` timed requests, or as many as fit in ``budget`` seconds (at
    least 5).
    """
    say = log or (lambda message: None)
    supervisor = clinic.supervisors[0]
    results = []

    def add(page, client, user, data, urls, minimum=5, courses=None):
        samples, queries = measure(
            client, urls, requests, budget=budget, minimum=min(minimum, requests)
        )
        say(f"  {page} ({user}, {data}): {len(samples)} requests")
        results.append(Result(page, user, data, samples, queries, courses))

    with bench_settings():
        targets = pick_targets(supervisor)
        therapist_client, supervisor_client = Client(), Client()
        therapist_client.force_login(targets.therapist)
        supervisor_client.force_login(supervisor)
        add("Floor: minimal template response", therapist_client, "therapist", "–",
            [reverse("bench_floor")])  # fmt: skip
        _course_pages(add, targets, therapist_client, supervisor_client)
        _outcomes_reports(add, clinic)
        for size in sizes:
            _caseload_reviews(add, clinic, size, supervisor_client)
    return results


def group(clinic, size):
    """Put under the first supervisor the fewest therapists (in order) whose courses make at
    least ``size``; the others go to the second supervisor. Returns (therapists, courses)."""
    supervisor, others = clinic.supervisors[0], (clinic.supervisors[1:] or [None])[0]
    per = dict(TreatmentCourse.objects.values_list("patient__therapist").annotate(n=Count("pk")))
    chosen, courses = [], 0
    for therapist in sorted(clinic.therapists, key=lambda t: t.pk):
        if courses >= size:
            break
        chosen.append(therapist.pk)
        courses += per.get(therapist.pk, 0)
    staff = User.objects.filter(role=Role.THERAPIST)
    staff.exclude(pk__in=chosen).update(supervisor=others)
    staff.filter(pk__in=chosen).update(supervisor=supervisor)
    return len(chosen), courses


def _caseload_reviews(add, clinic, size, client):
    """The caseload review of a supervisor of about ``size`` courses: active, then all."""
    therapists, courses = group(clinic, size)
    dashboard = reverse("dashboard")
    visible = TreatmentCourse.objects.visible_to(clinic.supervisors[0])
    add("Caseload review (dashboard)", client, "supervisor",
        f"{therapists} therapists, {courses:,} courses ({visible.active().count():,} active)",
        [dashboard], courses=courses)  # fmt: skip
    add("Caseload review, closed courses included", client, "supervisor",
        f"{therapists} therapists, {courses:,} courses", [f"{dashboard}?closed=1"],
        courses=courses)  # fmt: skip


def _outcomes_reports(add, clinic, size=2000):
    """The outcomes report over every course of the clinic (clinic level), then over the
    courses of one supervisor's therapists (about ``size``), each over the whole period."""
    lead, _ = User.objects.get_or_create(
        username="bench-lead", defaults={"role": Role.CLINIC_LEAD, "first_name": "Lead"}
    )
    client = Client()
    client.force_login(lead)
    first = TreatmentCourse.objects.aggregate(first=Min("start_date"))["first"]
    url = f"{reverse('outcomes')}?start={first:%Y-%m-%d}&end={timezone.localdate():%Y-%m-%d}"
    total = TreatmentCourse.objects.count()
    add("Outcomes report (clinic level)", client, "clinic lead", f"{total:,} courses", [url])
    therapists, courses = group(clinic, size)
    add("Outcomes report, one supervisor's therapists", client, "clinic lead",
        f"{therapists} therapists, {courses:,} courses",
        [f"{url}&supervisor={clinic.supervisors[0].pk}"])  # fmt: skip


def slope(results, page):
    """Least-squares slope of the median over the number of courses: ms per 1,000 courses."""
    points = [(r.courses, r.median) for r in results if r.page == page and r.courses]
    if len(points) < 2:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return 1000 * num / den if den else None


def _course_pages(add, targets, therapist_client, supervisor_client):
    """The pages of one course: its review, its overview, a session and the contract PDF."""
    caseload = TreatmentCourse.objects.filter(patient__therapist=targets.therapist).count()
    held = Session.objects.filter(course__patient__therapist=targets.therapist)
    add("Course review", supervisor_client, "supervisor",
        f"{len(targets.reviews)} courses in rotation", targets.reviews)  # fmt: skip
    add("Course page", therapist_client, "therapist",
        f"{len(targets.courses)} courses in rotation; caseload {caseload} courses, "
        f"{held.count():,} sessions", targets.courses)  # fmt: skip
    add("Session page", therapist_client, "therapist",
        f"latest held session of {len(targets.sessions)} courses", targets.sessions)  # fmt: skip
    add("Contract PDF", therapist_client, "therapist",
        f"{len(targets.contracts)} signed contracts in rotation", targets.contracts)  # fmt: skip
    active = TreatmentCourse.objects.filter(patient__therapist=targets.therapist).active()
    add("Today (therapist's home)", therapist_client, "therapist",
        f"caseload {caseload} courses, {active.count()} active", [reverse("home")])  # fmt: skip


def table(results):
    floor = results[0].median
    lines = [
        "| Page | As | Data | Requests | Median ms | p95 ms | Queries | Median ÷ floor |",
        "|---|---|---|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        lines.append(
            f"| {r.page} | {r.user} | {r.data} | {len(r.samples)} | {r.median:.1f} | "
            f"{r.p95:.1f} | {r.query_range} | {r.median / floor:.1f}× |"
        )
    lines.append("")
    for page in ("Caseload review (dashboard)", "Caseload review, closed courses included"):
        if (value := slope(results, page)) is not None:
            lines.append(f"Slope of the median, {page.lower()}: {value:+.2f} ms per 1,000 courses.")
    return "\n".join(lines)


def machine():
    pg = connection.pg_version
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores "
        f"(load average {load}); "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {pg // 10000}.{pg % 10000}"
    )
