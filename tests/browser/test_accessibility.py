"""Accessibility audit: axe-core over every page a demo user can reach, as each role.

The crawl starts at the home page and follows same-origin links breadth-first. Each distinct
URL pattern is audited once per role (the first instance found), which keeps the run short
while still covering every page template. On every page, and after an htmx swap, the
browser console must stay free of errors (a CSP violation is logged as an error).
"""

import time
from collections import deque
from datetime import date
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from ipt.accounts.models import User
from ipt.devtools.demo import DEMO_PASSWORD
from sessions_app.models import Session
from tests.factories import CourseFactory, MeasureFactory, PatientFactory, SessionFactory

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

# Links that end the session, download a file, or change or delete something on GET
# (the admin's delete confirmations, history reverts) are not pages to audit.
SKIP_WORDS = ("logout", "/pdf", ".pdf", "csv", "ics", "fhir", "download", "/delete/", "export")
SKIP_ADMIN_VIEWS = ("delete", "history", "password_change", "logout", "jsi18n", "autocomplete")


def _pattern(path):
    """The URL pattern a path belongs to, or None when it is not ours."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name or match.route}"


def _worth_visiting(path):
    lowered = path.lower()
    if any(word in lowered for word in SKIP_WORDS):
        return False
    if path.startswith("/admin/") and any(word in lowered for word in SKIP_ADMIN_VIEWS):
        return False
    return path.startswith("/")


class ConsoleWatch:
    """Collects console errors, page errors and CSP violations on a page."""

    def __init__(self, page):
        self.errors = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, msg):
        if msg.type == "error":
            self.errors.append(f"console: {msg.text}")

    def take(self):
        errors, self.errors = self.errors, []
        return errors


def _format(violations, where):
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"{where}: {violation['id']} ({violation['impact']}) {target}")
            lines.append(f"    {violation['help']}: {node.get('failureSummary', '')[:300]}")
    return lines


def crawl_and_audit(page, base_url, start="/"):
    """Audit one page per URL pattern reachable from ``start``; return problems and count."""
    axe = Axe()
    watch = ConsoleWatch(page)
    problems, audited = [], []
    seen_patterns, queued = set(), {start}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        pattern = _pattern(urlsplit(path).path)
        if pattern is None or pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(base_url + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state("load")
        results = axe.run(page, options=AXE_OPTIONS)
        audited.append(path)
        problems += _format(results.response["violations"], path)
        problems += [f"{path}: {error}" for error in watch.take()]
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            href = urldefrag(href)[0]
            if not href.startswith(base_url):
                continue
            link = href[len(base_url) :] or "/"
            if link not in queued and _worth_visiting(link):
                queued.add(link)
                queue.append(link)
    return problems, audited


def after_htmx_swaps(page, base_url, username):
    """Swap a region or two with htmx, then audit again and collect console errors."""
    axe = Axe()
    watch = ConsoleWatch(page)
    if username == "therapist":
        # A fresh course beside the demo's (whose held sessions are all finalised).
        patient = PatientFactory(therapist=User.objects.get(username=username))
        course = CourseFactory(patient=patient)
        MeasureFactory(course=course, taken_on=date(2026, 9, 1))  # baseline: no PHQ-9 due
        session = SessionFactory(course=course, number=2, status=Session.Status.HELD)
        page.goto(base_url + session.get_absolute_url())
        # The quick PHQ-9's inputs are named by their item, not by their number alone.
        item = page.get_by_label("Little interest or pleasure in doing things", exact=False)
        assert item.count() == 1
        with page.expect_response(lambda r: r.url.endswith("/new/")):
            page.get_by_role("button", name="Add an interpersonal event").click()
        # The status region is swapped in place: an error first, then the change itself.
        page.locator(".status-box > summary").click()  # closed on a held session
        page.get_by_role("radio", name="Missed (did not attend)").check()
        for reason in ("", "Did not come; no message."):
            page.get_by_label("Reason", exact=False).fill(reason)
            with page.expect_response(lambda r: r.url.endswith("/status/")):
                page.get_by_role("button", name="Save status").click()
        page.locator("#status-saved").wait_for()
        where = f"{session.get_absolute_url()} after adding an event and changing the status"
    elif username == "supervisor":
        page.goto(base_url + reverse("dashboard"))
        with page.expect_response(lambda r: "phase=" in r.url):
            page.get_by_label("Phase").select_option(index=1)
        where = "caseload review after filtering"
    else:
        return []
    page.wait_for_timeout(300)
    results = axe.run(page, options=AXE_OPTIONS)
    return _format(results.response["violations"], where) + [
        f"{where}: {error}" for error in watch.take()
    ]


ROLES = ["therapist", "supervisor", "clinicadmin", "cliniclead"]


@pytest.mark.parametrize("username", ROLES)
def test_every_reachable_page_passes_axe_without_console_errors(
    live_server, page, login, settings, username
):
    settings.DEBUG = True
    call_command("seed_demo")
    started = time.monotonic()
    login(username, DEMO_PASSWORD)
    page.wait_for_load_state("load")
    problems, audited = crawl_and_audit(page, live_server.url)
    elapsed = time.monotonic() - started
    print(f"\n{username}: audited {len(audited)} pages in {elapsed:.1f} s")
    assert len(audited) > 3, audited
    problems += after_htmx_swaps(page, live_server.url, username)
    assert not problems, "\n" + "\n".join(problems)
