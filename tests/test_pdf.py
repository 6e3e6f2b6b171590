"""Patient PDFs: the letterhead and footer, and that WeasyPrint only ever reads our static files.

The security tests feed hostile markup straight to ``html_to_pdf`` (as if an escaping bug had
let patient text through unescaped) and check that every URL in it reaches our fetcher and is
refused there: nothing reaches WeasyPrint's own fetching, urllib or a socket, and no file
outside the static directories is opened.
"""

import copy
import socket
import sys
import urllib.request
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
import weasyprint.urls
from django.conf import settings
from pypdf import PdfReader
from weasyprint.urls import URLFetchingError

from ipt.pdf import (
    RefusedURL,
    StaticOnlyURLFetcher,
    html_to_pdf,
    pdf_response,
    render_pdf,
    static_only_url_fetcher,
    static_url,
)

TEST_TEMPLATE = """{% extends "ipt/pdf/base.html" %}
{% block title %}Test handout{% endblock %}
{% block content %}<p>Plan agreed with {{ patient.full_name }}.</p><p>{{ note }}</p>{% endblock %}
"""

INJECTED = [
    '<style>@import url("http://127.0.0.1:9/import.css");'
    " body { background: url(file:///etc/hostname) }</style>",
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    '<img src="http://169.254.169.254/latest">',
    '<style>@font-face { font-family: Leak; src: url("file:///etc/hostname.ttf") }'
    " p { font-family: Leak }</style>",
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="ftp://127.0.0.1/x.png">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<img src="/etc/passwd">',
]

INJECTED_URLS = {
    "http://127.0.0.1:9/import.css",
    "file:///etc/hostname",
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.css",
    "http://169.254.169.254/latest",
    "file:///etc/hostname.ttf",
    "ftp://127.0.0.1/x.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "https://ipt.invalid/etc/passwd",
}

# Audit hooks cannot be removed, so one is installed for the session and only records while a
# test has switched it on: it sees every file open and network call made from Python.
_audit_events = None


def _audit(event, args):
    if _audit_events is not None and event in {
        "open",
        "socket.connect",
        "socket.getaddrinfo",
        "urllib.Request",
    }:
        _audit_events.append((event, str(args[0]) if args else ""))


sys.addaudithook(_audit)


@pytest.fixture
def fetches(monkeypatch):
    """What the PDF fetcher served and refused, and anything that tried to go around it."""
    global _audit_events
    log = SimpleNamespace(served=[], refused=[], bypass=[], audit=[])

    real_fetch = StaticOnlyURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = real_fetch(self, url, headers)
        except RefusedURL:
            log.refused.append(url)
            raise
        log.served.append(url)
        return response

    monkeypatch.setattr(StaticOnlyURLFetcher, "fetch", spy)

    def bypass(name):
        def record(*args, **kwargs):
            log.bypass.append((name, args))
            raise AssertionError(f"{name} called")

        return record

    # What WeasyPrint 70 fetches with when left to itself, and what that sits on.
    monkeypatch.setattr(weasyprint.urls.URLFetcher, "fetch", bypass("URLFetcher.fetch"))
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", bypass("OpenerDirector.open"))
    monkeypatch.setattr(urllib.request, "urlopen", bypass("urlopen"))
    monkeypatch.setattr(socket, "create_connection", bypass("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", bypass("socket.getaddrinfo"))
    monkeypatch.setattr(socket.socket, "connect", bypass("socket.connect"))

    _audit_events = log.audit
    yield log
    _audit_events = None


def assert_nothing_escaped(log):
    assert log.bypass == []
    network = [event for event in log.audit if event[0] != "open"]
    assert network == []
    leaked = [path for event, path in log.audit if event == "open" and path.startswith("/etc")]
    assert leaked == []
    assert all(url.startswith("https://ipt.invalid/static/") for url in log.served)


@pytest.fixture
def test_template(settings, tmp_path):
    (tmp_path / "pdf_test_document.html").write_text(TEST_TEMPLATE)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "pdf_test_document.html"


def pdf_text(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def pdf_font_names(pdf):
    return {
        str(font["/BaseFont"])
        for page in PdfReader(BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }


def squashed(text):
    return "".join(text.split())


def test_pdf_has_letterhead_footer_and_the_vendored_font(test_template, fetches, settings):
    settings.CLINIC_NAME = "Testbrook IPT Service"
    settings.CLINIC_PHONE = "01632 960 123"

    pdf = render_pdf(
        test_template, {"patient": {"full_name": "Robin Example"}, "note": "Weekly sessions."}
    )

    text = pdf_text(pdf)
    for expected in (
        "Testbrook IPT Service",
        "Test handout",
        "Robin Example",
        "Plan agreed with Robin Example.",
        "Weekly sessions.",
        "Confidential",
        "Telephone 01632 960 123",
        "Page 1 of 1",
    ):
        assert expected in text
    assert any("DejaVu" in name for name in pdf_font_names(pdf))
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == "Test handout"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    # Stylesheet and font came from our static files, through the fetcher.
    assert static_url("css/pdf.css") in fetches.served
    assert static_url("fonts/DejaVuSans.ttf") in fetches.served
    # (and the audit hook is live: it saw the font file being read)
    assert any(path.endswith("static/fonts/DejaVuSans.ttf") for _, path in fetches.audit)
    assert fetches.refused == []
    assert_nothing_escaped(fetches)


def test_injected_markup_fetches_nothing(fetches, caplog):
    html = f"<!DOCTYPE html><html><body><p>Note</p>{''.join(INJECTED)}</body></html>"

    pdf = html_to_pdf(html)

    assert pdf.startswith(b"%PDF")
    assert set(fetches.refused) == INJECTED_URLS
    assert fetches.served == []
    assert_nothing_escaped(fetches)
    refusals = {r.getMessage() for r in caplog.records if r.name == "ipt.pdf"}
    assert all(r.levelname == "WARNING" for r in caplog.records if r.name == "ipt.pdf")
    for url in INJECTED_URLS:
        assert any(repr(url) in message for message in refusals)


def test_injected_color_profile_is_refused_and_stops_the_render(fetches):
    # WeasyPrint 70 does not catch a failed @color-profile fetch: the render fails closed.
    html = "<style>@color-profile --x { src: url(file:///etc/passwd) }</style><p>Note</p>"

    with pytest.raises(URLFetchingError):
        html_to_pdf(html)

    assert fetches.refused == ["file:///etc/passwd"]
    assert_nothing_escaped(fetches)


def test_patient_text_is_printed_not_fetched(test_template, fetches):
    note = " ".join(INJECTED)

    pdf = render_pdf(test_template, {"patient": {"full_name": "Robin Example"}, "note": note})

    assert squashed(note) in squashed(pdf_text(pdf))
    assert fetches.refused == []
    assert_nothing_escaped(fetches)


def test_fetcher_serves_static_files_with_their_type():
    css = static_only_url_fetcher.fetch(static_url("css/pdf.css"))
    font = static_only_url_fetcher.fetch("https://ipt.invalid/static/fonts/DejaVuSans.ttf?#x")

    assert css.content_type == "text/css"
    assert css.charset == "utf-8"
    assert css.read() == (Path(settings.BASE_DIR) / "static/css/pdf.css").read_bytes()
    assert font.content_type == "font/ttf"


@pytest.mark.parametrize(
    "url",
    [
        "https://ipt.invalid/static/../manage.css",
        "https://ipt.invalid/static/css/../../ipt/settings.css",
        "https://ipt.invalid/static/%2e%2e/ipt/x.css",
        "https://ipt.invalid/static/css%2f..%2f..%2fipt%2fx.css",
        "https://ipt.invalid/static/..%5c..%5cx.css",
        "https://ipt.invalid/static/./css/pdf.css",
        "https://ipt.invalid/static//etc/x.css",
        "https://ipt.invalid/static/css/pdf.css%00.png",
        "https://ipt.invalid/static/css/missing.css",
        "https://ipt.invalid/static/favicon.svg.py",
        "https://ipt.invalid/etc/passwd",
        "http://ipt.invalid/static/css/pdf.css",
        "https://ipt.invalid:8443/static/css/pdf.css",
        "https://user@ipt.invalid/static/css/pdf.css",
        "https://example.org/static/css/pdf.css",
        "file:///work/main/static/css/pdf.css",
        "ftp://ipt.invalid/static/css/pdf.css",
        "data:text/css,p{}",
    ],
)
def test_fetcher_refuses_anything_but_a_plain_static_path(url, caplog):
    with pytest.raises(RefusedURL):
        static_only_url_fetcher.fetch(url)

    assert [r.levelname for r in caplog.records if r.name == "ipt.pdf"] == ["WARNING"]


def test_extra_stylesheet_outside_static_fails_the_render(fetches):
    with pytest.raises(URLFetchingError):
        html_to_pdf("<p>Note</p>", stylesheets=["../../etc/passwd.css"])

    assert fetches.refused == ["https://ipt.invalid/etc/passwd.css"]
    assert_nothing_escaped(fetches)


def test_pdf_response_is_inline_uncached_with_a_safe_filename():
    response = pdf_response(b"%PDF-1.7", '../../etc/"plan"\r\n.PDF')

    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'inline; filename="plan.pdf"'
    assert response.content == b"%PDF-1.7"


def test_pdf_response_downloads_with_a_unicode_filename():
    response = pdf_response(b"%PDF-1.7", "relapse plan – Zoë.pdf", download=True)

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''relapse-plan-Zo%C3%AB.pdf"
    )
