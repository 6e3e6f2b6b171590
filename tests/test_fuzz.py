"""Garbage posted to every route of the URL conf, as the treating therapist: never a 500.

The routes come from the URL conf (as in test_access_control.py), filled with real ids from two
courses (one in its initial phase, one in its termination phase). Each route's own form is read
from the pages that show it (its fields and their values as the page offers them), then posted
back corrupted: one field, several, all, or some left out, with random and huge strings, NUL
characters, right-to-left text and emoji, wrong types, invalid choices, negative and huge
numbers and malformed or implausible dates. A seeded generator keeps every run the same.

Whatever the request, the answer is a page, a form error, a refusal or a redirect: any
exception or 5xx fails the test with the payload that caused it.
"""

import random
import traceback
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve

import tests.test_access_control as ac

SEED = 20261202
PAYLOADS_PER_ROUTE = 12

# Not fuzzed: the admin (the clinic admin's own, Django's code), the public pages, and logging
# out (it would end the session the next payload needs).
SKIPPED = {"logout", "admin:logout", *ac.PUBLIC}

GARBAGE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 100_001,
    "é" * 5001,
    "שלום עולם \u202e مرحبا",
    "😀" * 300,
    "👨‍👩‍👧‍👦🏳️‍🌈",
    "<script>alert(1)</script>",
    "' OR 1=1; --",
    "-1",
    "0",
    "-2147483649",
    "2147483648",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "3.5",
    "true",
    "null",
    "[]",
    "{}",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "12/31/2026",
    "99999-01-01",
    "2026-13-01T25:61",
    "1899-12-31",
    "2999-01-01",
    "not-a-choice",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
]


class FormReader(HTMLParser):
    """The forms of a page: where each posts, and the fields it would send as it stands."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms = []  # (action path, [(name, value)])
        self.names = set()
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or self.page_url
            self._form = (urlsplit(urljoin(self.page_url, action)).path, [])
            self.forms.append(self._form)
            return
        name = attrs.get("name")
        if tag in ("button", "input") and attrs.get("hx-post"):
            self.forms.append((urlsplit(urljoin(self.page_url, attrs["hx-post"])).path, []))
        if not name or name == "csrfmiddlewaretoken":
            return
        self.names.add(name)
        fields = self._form[1] if self._form else []
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                fields.append((name, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [name, ""]
            fields.append(self._textarea)
        elif tag == "select":
            self._select = (name, fields, len(fields))
        elif tag == "option" and self._select and ("selected" in attrs or not self._chosen()):
            name, fields, at = self._select
            del fields[at:]
            fields.append((name, attrs.get("value", "")))

    def _chosen(self):
        _name, fields, at = self._select
        return len(fields) > at

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _read_forms(client, urls):
    """Each form action seen on these pages -> the fields it sends; and every field name."""
    forms, names = {}, set()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = FormReader(url)
        reader.feed(response.text)
        names |= reader.names
        for action, fields in reader.forms:
            forms.setdefault(action, [tuple(f) for f in fields])
    return forms, sorted(names)


def _payloads(rng, base, pool):
    """Corruptions of the route's own form (or of random field names where it has none)."""
    base = base or [(name, "x") for name in rng.sample(pool, min(6, len(pool)))]
    names = sorted({name for name, _ in base})
    for n in range(PAYLOADS_PER_ROUTE):
        data = {}
        for name, value in base:
            data.setdefault(name, []).append(value)
        kind = n % 5
        if kind == 0:  # one field corrupted
            data[rng.choice(names)] = [rng.choice(GARBAGE)]
        elif kind == 1:  # several, some with more than one value
            for name in rng.sample(names, max(1, len(names) // 2)):
                data[name] = [rng.choice(GARBAGE) for _ in range(rng.choice((1, 1, 2)))]
        elif kind == 2:  # all of them
            data = {name: [rng.choice(GARBAGE)] for name in names}
        elif kind == 3:  # fields left out, and fields of other forms
            for name in rng.sample(names, max(1, len(names) // 2)):
                del data[name]
            for name in rng.sample(pool, min(4, len(pool))):
                data[name] = [rng.choice(GARBAGE)]
        else:  # random text of random length everywhere
            data = {
                name: ["".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(40)))]
                for name in names
            }
        yield data


@pytest.fixture(scope="module")
def fuzz_worlds(django_db_setup, django_db_blocker):
    """Both courses and the owner's login, built once; each test rolls back what it wrote."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=[ac.MD5]):
                supervisor = ac.SupervisorFactory(username="fz-supervisor")
                owner = ac.TherapistFactory(username="fz-owner", supervisor=supervisor)
                initial = ac._initial_world(ac.PatientFactory(therapist=owner))
                populated = ac._populated_world(owner, supervisor)
                worlds = {"initial": {**initial, "owner": owner}, "populated": populated}
                client = Client()
                client.force_login(owner)
                urls = {
                    world: [
                        ac._world_url(name, route, entry.callback, worlds[world])
                        for name, route, entry in ac.iter_patterns()
                        if name not in SKIPPED and not route.startswith("admin/")
                    ]
                    for world in worlds
                }
                pages = {world: _read_forms(client, urls[world]) for world in worlds}
                built = {
                    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "urls": urls,
                    "pages": pages,
                }
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


ROUTES = [
    (name, route)
    for name, route, _ in ac.iter_patterns()
    if name not in SKIPPED and not route.startswith("admin/")
]


@pytest.mark.parametrize("world", ["initial", "populated"])
@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name or r for name, r in ROUTES])
def test_garbage_posted_to_every_route_never_answers_500(db, fuzz_worlds, world, name, route):
    index = [n for n, _ in ROUTES].index(name)
    url = fuzz_worlds["urls"][world][index]
    assert resolve(url).view_name == name
    forms, pool = fuzz_worlds["pages"][world]
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = fuzz_worlds["session"]
    rng = random.Random(f"{SEED}-{world}-{name}")
    failures = []
    base = forms.get(url) or [(k, str(v)) for k, v in ac.POST_DATA.get(name, {}).items()]
    for data in _payloads(rng, base, pool):
        try:
            with transaction.atomic():  # a failed payload leaves nothing for the next
                response = client.post(url, data)
                status = response.status_code
                transaction.set_rollback(True)
        except Exception:
            failures.append(f"{_short(data)}\n{traceback.format_exc(limit=-3)}")
            continue
        if status >= 500:
            failures.append(f"{_short(data)} answered {status}")
    assert not failures, f"POST {url}:\n" + "\n\n".join(failures[:3])


def _short(data):
    return {k: [v[:60] + ("…" if len(v) > 60 else "") for v in vs] for k, vs in data.items()}


def test_the_fuzzer_corrupts_the_real_forms(db, fuzz_worlds):
    """Else it would post garbage that no form reads: the forms are found on their pages."""
    urls = dict(zip([n for n, _ in ROUTES], fuzz_worlds["urls"]["initial"], strict=True))
    forms, pool = fuzz_worlds["pages"]["initial"]
    for name, field in [
        ("patients:create", "date_of_birth"),
        ("course:suitability", "screened_on"),
        ("course:end_early", "ended_on"),
        ("course:measure_new", "taken_on"),
        ("course:risk_new", "review_on"),
    ]:
        assert field in {n for n, _ in forms.get(urls[name], [])}, name
    assert len([url for url in fuzz_worlds["urls"]["initial"] if forms.get(url)]) >= 25
    assert {"notes", "status", "what_happened"} <= set(pool)
