"""PDFs for patients (treatment contract, sick-role handout, relapse-prevention plan).

WeasyPrint fetches every URL a document names: stylesheets, ``@import``, fonts, images,
``<link rel=attachment>``. Left to its default fetcher it would read ``file:///etc/passwd`` or
call ``http://169.254.169.254/`` the moment patient text slipped into the HTML unescaped. So
every ``weasyprint.HTML`` and ``weasyprint.CSS`` built here gets ``static_only_url_fetcher``,
which serves our own static files and refuses everything else without touching the network or
the filesystem.

Documents are parsed against ``BASE_URL`` (a host under the reserved ``.invalid`` top-level
domain, which never resolves), so ``{% static 'css/pdf.css' %}`` becomes
``https://ipt.invalid/static/css/pdf.css`` and the fetcher maps it back to the file
``django.contrib.staticfiles`` would serve.

Usage::

    pdf = render_pdf("ipt/pdf/treatment_contract.html", {"patient": patient}, request)
    return pdf_response(pdf, f"treatment-contract-{patient.pk}.pdf")
"""

import logging
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

#: Base URL of every document. ``.invalid`` is reserved (RFC 2606): it can never resolve.
BASE_URL = "https://ipt.invalid/"

#: The only files the fetcher hands out, by extension, with the type WeasyPrint is told.
STATIC_MIME_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


class RefusedURL(ValueError):
    """A document named a URL that is not one of our static files."""


def static_url(name: str) -> str:
    """The absolute URL, under ``BASE_URL``, of the static file ``name`` (``css/pdf.css``)."""
    return urljoin(_static_prefix(), name)


def _static_prefix() -> str:
    # settings.STATIC_URL is "/static/" at run time (Django adds the script prefix to the
    # relative "static/"); an absolute CDN URL stays as it is and is served locally all the same.
    return urljoin(BASE_URL, settings.STATIC_URL)


def static_name_for(url: str) -> str | None:
    """The static file name a URL points at, or ``None`` if it is not a safe static URL.

    Only ``<scheme>://<host>/<STATIC_URL path><name>`` with the scheme and host of
    ``BASE_URL`` qualifies. The name is percent-decoded first, then must be a plain relative
    path: no empty, ``.`` or ``..`` segment, no backslash, no NUL. Query and fragment are
    ignored (fonts are sometimes named ``x.woff?#iefix``).
    """
    try:
        parts = urlsplit(url)
        prefix = urlsplit(_static_prefix())
    except ValueError:
        return None
    if (parts.scheme.lower(), parts.netloc.lower()) != (prefix.scheme, prefix.netloc.lower()):
        return None
    if not parts.path.startswith(prefix.path):
        return None
    name = unquote(parts.path.removeprefix(prefix.path))
    if not name or "\\" in name or "\x00" in name:
        return None
    if any(segment in {"", ".", ".."} for segment in name.split("/")):
        return None
    if posixpath.splitext(name)[1].lower() not in STATIC_MIME_TYPES:
        return None
    return name


def _find_static_file(name: str) -> Path | None:
    found = finders.find(name)
    if found:
        return Path(found)
    # A production build names files by content hash ("css/pdf.3f2a….css"), which only
    # collectstatic's output holds. Storage.path() joins safely under STATIC_ROOT.
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (ImproperlyConfigured, NotImplementedError, SuspiciousFileOperation, ValueError):
        pass
    return None


class StaticOnlyURLFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves our static files and nothing else.

    WeasyPrint 70 wants a ``weasyprint.urls.URLFetcher`` (it reads private attributes of the
    fetcher when a fetch fails, and insists on a ``URLFetcherResponse``), so this subclasses
    it and overrides ``fetch``. The inherited urllib machinery is never used, and is set up
    to refuse every protocol in case anything ever reached it.
    """

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        name = static_name_for(url)
        if name is None:
            self.refuse(url, "not one of our static files")
        path = _find_static_file(name)
        if path is None or not path.is_file():
            self.refuse(url, "no such static file")
        mime_type = STATIC_MIME_TYPES[posixpath.splitext(name)[1].lower()]
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})

    def refuse(self, url, reason):
        logger.warning("PDF fetcher refused %r: %s", str(url)[:200], reason)
        raise RefusedURL(f"{reason}: {str(url)[:200]}")


static_only_url_fetcher = StaticOnlyURLFetcher()


def html_to_pdf(html: str, *, stylesheets=(), title: str | None = None) -> bytes:
    """Turn an HTML string into PDF bytes, fetching only our static files.

    ``stylesheets`` are extra static names (``"css/extra.css"``) applied on top of what the
    document links; one that cannot be served fails the render. ``title`` is the PDF's
    metadata title; by default the text of the element with ``id="document-title"``.
    """
    document_html = weasyprint.HTML(
        string=html, base_url=BASE_URL, url_fetcher=static_only_url_fetcher
    )
    css = [
        weasyprint.CSS(url=static_url(name), url_fetcher=static_only_url_fetcher)
        for name in stylesheets
    ]
    document = document_html.render(stylesheets=css)
    document.metadata.title = title or _document_title(document_html) or document.metadata.title
    # Tagged for screen readers (only write_pdf reads this option; render ignores it).
    return document.write_pdf(pdf_tags=True)


def _document_title(document_html) -> str | None:
    for element in document_html.etree_element.iter():
        if element.get("id") == "document-title":
            return " ".join("".join(element.itertext()).split()) or None
    return None


def render_pdf(template_name: str, context: dict, request=None, *, stylesheets=()) -> bytes:
    """Render a Django template (extending ``ipt/pdf/base.html``) to PDF bytes.

    ``clinic_name`` and ``clinic_phone`` default to the settings and ``generated_at`` to now.
    """
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "generated_at": timezone.localtime(),
        **context,
    }
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, stylesheets=stylesheets)


def safe_pdf_filename(filename: str) -> str:
    """A download name with no path, quote or control character, ending in ``.pdf``."""
    stem = re.split(r"[/\\]", filename)[-1]
    stem = re.sub(r"\.pdf\Z", "", stem, flags=re.IGNORECASE)
    stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-_")[:100]
    return f"{stem or 'document'}.pdf"


def patient_pdf_name(document: str, patient) -> str:
    """``sick-role-Moreno.pdf``: what the document is, and whose (the surname only)."""
    names = patient.full_name.split()
    return f"{document}-{names[-1] if names else 'patient'}.pdf"


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    """Serve PDF bytes, shown in the browser unless ``download``; never cached (patient data)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        download, safe_pdf_filename(filename)
    )
    response["Cache-Control"] = "no-store"
    return response
