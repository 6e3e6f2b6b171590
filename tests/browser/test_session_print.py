"""A printed session page keeps every word, with who and which session at the head of every page.

Printed as Chromium prints it (print media, page.pdf()), then read back with poppler: the text
of each page (pdftotext) and its image (pdftoppm) for the margins.
"""

import re
import shutil
import subprocess
from datetime import date

import pytest
from playwright.sync_api import expect

from sessions_app.models import Session as IptSession
from tests.browser.test_accessibility import ConsoleWatch
from tests.factories import (
    CourseFactory,
    InterpersonalEventFactory,
    InventoryPersonFactory,
    MeasureFactory,
    SessionFactory,
)

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils is not installed",
)

NOTES = "Anything else from the session"
# Far more than the notes box shows: a printed box would clip all but its first lines.
LONG_NOTES = "\n".join(
    f"Line {n}: talked through the week with her sister and what she wants to say."
    for n in range(1, 71)
)
LAST_WORDS = "Typed just before printing: ask about the new job next week."


def _pages_text(pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def _pages_ink(pdf, tmp_path):
    """Each page as 8-bit grey pixels at 30 dpi: (width, height, pixels)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "30", str(pdf), str(tmp_path / "page")], check=True)
    pages = []
    for image in sorted(tmp_path.glob("page-*.pgm")):
        header = image.read_bytes().split(b"\n", 3)  # P5, "w h", maxval, pixels
        width, height = map(int, header[1].split())
        pages.append((width, height, header[3]))
    return pages


def test_a_printed_session_keeps_every_word_and_says_whose_on_every_page(
    live_server, page, login, patient, tmp_path
):
    patient.full_name = "Zoë O'Brien-Łukasz"
    patient.save()
    course = CourseFactory(patient=patient)
    MeasureFactory(course=course, taken_on=date(2026, 9, 1))
    maria = InventoryPersonFactory(course=course, name="Maria", relationship="sister")
    session = SessionFactory(
        course=course, number=2, status=IptSession.Status.HELD, notes=LONG_NOTES
    )
    InterpersonalEventFactory(session=session, person=maria, what_happened="Lunch with Maria.")
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(30_000)
    login("owner")
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    watch = ConsoleWatch(page)
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    notes = page.get_by_label(NOTES)
    notes.press("Control+End")
    notes.press_sequentially("\n" + LAST_WORDS)  # printed as typed, saved or not yet

    page.emulate_media(media="print")
    pdf = tmp_path / "session.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert watch.take() == []

    pages = _pages_text(pdf)
    assert len(pages) >= 2, "seventy lines of notes take more than a page"
    day = session.scheduled_for.strftime("%-d %b %Y")
    for number, text in enumerate(pages, start=1):
        assert "Zoë O'Brien-Łukasz · born 17 May 1985" in text, f"page {number}"
        assert f"Session 2 of 12 · {day}" in text, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text
    everything = re.sub(r"\s+", " ", " ".join(pages))
    for n in (1, 35, 70):
        assert f"Line {n}: talked through the week with her sister" in everything
    assert LAST_WORDS in everything
    assert "Lunch with Maria." in everything
    assert "Save status" not in everything  # the controls of the hour are not printed

    # Margins: nothing is drawn in the outer 10 mm at the sides of any page, nor 7 mm at the top
    # and bottom (the running head and the page number sit in the page's margins).
    side, end = round(10 / 25.4 * 30), round(7 / 25.4 * 30)
    for number, (width, height, pixels) in enumerate(_pages_ink(pdf, tmp_path), start=1):
        rows = [pixels[y * width : (y + 1) * width] for y in range(height)]
        edges = [row[:side] + row[-side:] for row in rows] + rows[:end] + rows[-end:]
        assert all(min(edge) > 200 for edge in edges), f"ink in the margin of page {number}"


def test_a_missed_session_prints_its_reason_and_the_notes_kept_closed_on_screen(
    live_server, page, login, patient, tmp_path
):
    course = CourseFactory(patient=patient)
    session = SessionFactory(
        course=course,
        number=3,
        status=IptSession.Status.MISSED,
        status_note="Did not come; phoned at 10:15.",
        notes="She called back at noon: her son was ill. Rebooked for Thursday.",
    )
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(30_000)
    login("owner")
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    expect(page.get_by_label(NOTES)).to_be_hidden()  # the record is closed on the screen
    page.emulate_media(media="print")
    pdf = tmp_path / "missed.pdf"
    page.pdf(path=str(pdf), format="A4")
    everything = re.sub(r"\s+", " ", " ".join(_pages_text(pdf)))
    assert "Reason: Did not come; phoned at 10:15." in everything
    assert "She called back at noon: her son was ill. Rebooked for Thursday." in everything
