"""Every patient PDF of the demo clinic, rendered to images: no page nearly empty (a signature
block or a crisis box spilt alone onto a page), and a sensible number of pages."""

import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from ipt.accounts.models import User
from ipt.course.models import TreatmentCourse
from ipt.termination.summary import render_course_summary

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "pdftoppm"], capture_output=True).returncode != 0,
    reason="poppler-utils (pdftoppm) is not installed",
)

# The share of a page's body (between the letterhead and the footer) that must be ink.
MIN_BODY_INK = 0.004
MAX_PAGES = {"contract": 4, "sick role": 3, "relapse plan": 4, "summary": 10}


def _pages(pdf, tmp_path, name):
    """Each page as a grayscale PGM at 40 dpi: (width, height, pixel bytes)."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "40", str(source), str(tmp_path / name)], check=True)
    pages = []
    for image in sorted(tmp_path.glob(f"{name}-*.pgm")):
        data = image.read_bytes()
        header = data.split(b"\n", 3)  # P5, "w h", maxval, pixels
        width, height = map(int, header[1].split())
        pages.append((width, height, header[3]))
    return pages


def _body_ink(width, height, pixels):
    top, bottom = int(height * 0.12), int(height * 0.90)  # leave out letterhead and footer
    body = pixels[top * width : bottom * width]
    return sum(1 for p in body if p < 160) / len(body)


def _documents(client, username):
    courses = TreatmentCourse.objects.filter(patient__therapist__username=username)
    for course in courses.select_related("patient").order_by("pk"):
        name = course.patient.full_name
        contract = course.signed_contract or course.current_contract
        if contract is not None:
            url = reverse("course:contract_pdf", args=[course.pk, contract.version])
            yield f"contract {name}", "contract", client.get(url)
        if course._one("sick_role") is not None:
            yield (
                f"sick role {name}",
                "sick role",
                client.get(reverse("course:sick_role_pdf", args=[course.pk])),
            )
        if course._one("relapse_plan") is not None:
            yield (
                f"relapse plan {name}",
                "relapse plan",
                client.get(reverse("course:relapse_plan_pdf", args=[course.pk])),
            )
        if not course.is_active:
            yield f"summary {name}", "summary", render_course_summary(course)


def test_no_patient_pdf_has_a_nearly_empty_page(db, settings, client, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo")
    seen, problems = set(), []
    documents = []
    for username in ("therapist", "therapist2"):
        client.force_login(User.objects.get(username=username))
        documents += list(_documents(client, username))
    for label, kind, answer in documents:
        pdf = answer if isinstance(answer, bytes) else answer.content
        if not isinstance(answer, bytes):
            assert answer.status_code == 200, label
        slug = label.replace(" ", "-").replace("'", "")
        pages = _pages(pdf, tmp_path, slug)
        seen.add(kind)
        if not 1 <= len(pages) <= MAX_PAGES[kind]:
            problems.append(f"{label}: {len(pages)} pages")
        for number, page in enumerate(pages, 1):
            if (ink := _body_ink(*page)) < MIN_BODY_INK:
                problems.append(
                    f"{label}: page {number} of {len(pages)} is nearly empty ({ink:.4f})"
                )
    assert seen == set(MAX_PAGES), seen
    assert not problems, "\n".join(problems)
