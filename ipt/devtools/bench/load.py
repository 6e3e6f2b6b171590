"""The load phase of `manage.py bench`: the app under gunicorn, over HTTP, many at once.

gunicorn is started with the committed gunicorn.conf.py (2 workers, 127.0.0.1 only) on the
benchmark's database (ipt/devtools/bench_server.py: DEBUG off, the floor page added). For each number of
connections, each page is requested back to back by that many connections for a fixed time
(http.py), logged in with the cookie of a real login: the floor, the course page, the session
page, the caseload review and autosave (a POST with the CSRF token and the field's version,
each connection typing into a field of its own, so no save conflicts with another). Last, the
caseload review is loaded at the highest number of connections while a few connections keep
saving as a therapist types: what a save costs when the server is busy.
"""

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from ipt.course.models import Phase
from ipt.devtools.bench import http
from ipt.devtools.bench.timing import bench_settings
from sessions_app.models import Session

ROOT = Path(__file__).resolve().parents[3]
TYPING_CONNECTIONS = 4  # saves kept going during the loaded caseload review
TYPING_PAUSE = 0.25  # seconds between one connection's saves


@dataclass
class LoadResult:
    page: str
    connections: int
    load: http.Load


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the committed config, on the benchmark's database, until stopped."""

    def __init__(self, database, workers=2):
        self.port = _free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by stop())
        env = {
            **os.environ,
            "DEBUG": "1",  # read by ipt/settings.py; server_settings.py turns it off
            "DJANGO_SETTINGS_MODULE": "ipt.devtools.bench_server",
            "BENCH_DATABASE_NAME": database,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ipt.wsgi", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def wait_ready(self, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                asyncio.run(http.request(self.port, "GET", "/accounts/login/", timeout=5))
                return
            except OSError:
                time.sleep(0.3)
        errors = self.errors()
        self.stop()
        raise CommandError(f"gunicorn did not start:\n{errors}")

    def errors(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # graceful: running requests finish
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _login_cookie(user):
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def _typing_targets(therapist, how_many):
    """(session pk, field, version) of open sessions' note fields, one per connection."""
    sessions = Session.objects.filter(
        course__patient__therapist=therapist,
        course__phase__in=Phase.active(),
        finalised_at__isnull=True,
    ).order_by("pk")
    targets = [
        [s.pk, name, s.version_of(name)] for s in sessions for name in Session.AUTOSAVE_FIELDS
    ][:how_many]
    if len(targets) < how_many:
        raise CommandError(f"Only {len(targets)} open session fields to type into.")
    return targets


def run_load(targets, database, *, seconds=20, connections=(8, 32), log=None):
    """Every page at each number of connections, then autosave under the loaded review."""
    say = log or (lambda message: None)
    therapist, supervisor = _login_cookie(targets.therapist), _login_cookie(targets.supervisor)
    most = max(connections)
    typing = _typing_targets(targets.therapist, most + TYPING_CONNECTIONS)
    server = Server(database)
    try:
        server.wait_ready()
        say(f"  gunicorn up on 127.0.0.1:{server.port} (2 workers)")
        with bench_settings():  # the URLs with the floor page, as the server has them
            results = asyncio.run(
                _phases(
                    server.port, targets, therapist, supervisor, typing, seconds, connections, say
                )
            )
    finally:
        server.stop()
    return results


async def _phases(port, targets, therapist, supervisor, typing, seconds, connections, say):
    # The CSRF cookie comes from the session page, as in the browser.
    first = await http.request(port, "GET", targets.sessions[0], cookies=therapist)
    if first.status != 200:
        raise CommandError(f"GET {targets.sessions[0]} answered {first.status} over HTTP.")
    therapist = {**therapist, **http.set_cookies(first)}
    token = therapist[settings.CSRF_COOKIE_NAME]

    def get(urls, cookies):
        return lambda i, n: http.request(port, "GET", urls[(i + n) % len(urls)], cookies=cookies)

    async def save(i, n, offset=0):
        session, field, version = typing[i + offset]
        answer = await http.request(
            port,
            "POST",
            reverse("sessions_app:autosave", args=[session]),
            cookies=therapist,
            headers={"X-CSRFToken": token},
            form={
                "target": "session",
                "field": field,
                "value": f"Typed under load, save {n + 1}: calmer after the call with her sister.",
                "version": version,
            },
        )
        if answer.status == 200:
            typing[i + offset][2] = http.json_of(answer)["version"]
        return answer

    pages = [
        ("Floor: minimal template response", get([reverse("bench_floor")], therapist)),
        ("Course page", get(targets.courses, therapist)),
        ("Session page", get(targets.sessions, therapist)),
        ("Caseload review (dashboard)", get([reverse("dashboard")], supervisor)),
        ("Autosave (POST)", save),
    ]
    results = []
    for n in connections:
        for page, make in pages:
            load = await http.hammer(port, make, connections=n, seconds=seconds)
            say(f"  {page}, {n} connections: {len(load.times)} requests, {load.errors} errors")
            results.append(LoadResult(page, n, load))
    most = max(connections)
    review, saves = await asyncio.gather(
        http.hammer(
            port, get([reverse("dashboard")], supervisor), connections=most, seconds=seconds
        ),
        http.hammer(
            port,
            lambda i, n: save(i, n, offset=most),
            connections=TYPING_CONNECTIONS,
            seconds=seconds,
            pause=TYPING_PAUSE,
        ),
    )
    results.append(LoadResult("Caseload review, while others type", most, review))
    results.append(
        LoadResult(
            f"Autosave while the review is loaded ({TYPING_CONNECTIONS} typing)",
            TYPING_CONNECTIONS,
            saves,
        )
    )
    say(f"  autosave under a loaded review: p99 {saves.percentile(99):.0f} ms")
    return results


def load_table(results, review_data=""):
    floors = {r.connections: r.load.percentile(50) for r in results if r.page.startswith("Floor")}
    lines = [
        "| Page over HTTP (gunicorn, 2 workers) | Connections | Requests | req/s | p50 ms | "
        "p99 ms | Errors | p50 ÷ floor p50 |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        floor = floors.get(r.connections) or floors[max(floors)]
        page = f"{r.page} ({review_data})" if "Caseload" in r.page and review_data else r.page
        lines.append(
            f"| {page} | {r.connections} | {len(r.load.times)} | {r.load.rate:.1f} | "
            f"{r.load.percentile(50):.0f} | {r.load.percentile(99):.0f} | {r.load.errors} | "
            f"{r.load.percentile(50) / floor:.1f}× |"
        )
    return "\n".join(lines)
