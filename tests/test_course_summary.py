"""The course summary PDF is prepared in the background: asked for on its page (a task, run at
once in the suite), shown with its status (htmx polls a partial; a plain link refreshes), then
downloaded, only by someone who may read the course."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ipt.models import AccessEvent, Phase, PreparedSummary
from ipt.termination import summary as summary_module
from tests.factories import CourseFactory, PatientFactory, ready_for_middle_phase
from tests.test_pdf import pdf_text as text_of


def prepared_summary(client, course):
    """Ask for a course's summary, then download it: the response of the PDF."""
    before = list(PreparedSummary.objects.filter(course=course).values_list("pk", flat=True))
    asked = client.post(reverse("course:summary", args=[course.pk]))
    assert asked.status_code == 302, asked.status_code
    prepared = PreparedSummary.objects.filter(course=course).exclude(pk__in=before).first()
    assert prepared is not None and prepared.is_ready, prepared and prepared.error
    return client.get(reverse("course:summary_download", args=[course.pk, prepared.pk]))


@pytest.fixture
def course(patient, owner):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    course.enter_middle_phase(owner)
    return course


def page(client, course, **headers):
    return client.get(reverse("course:summary", args=[course.pk]), headers=headers)


def test_asking_prepares_the_summary_and_offers_the_file(client_for, owner, course):
    client = client_for(owner)
    assert "No summary has been prepared" in page(client, course).text

    response = client.post(reverse("course:summary", args=[course.pk]), follow=True)

    prepared = PreparedSummary.objects.get(course=course)
    assert prepared.status == PreparedSummary.Status.READY
    assert prepared.requested_by == owner
    assert prepared.task_id
    download = reverse("course:summary_download", args=[course.pk, prepared.pk])
    assert download in response.text
    pdf = client.get(download)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'inline; filename="course-summary-Owner-Case.pdf"'
    assert pdf["Cache-Control"] == "no-store"
    assert "Summary of the IPT course" in text_of(pdf.content)
    assert AccessEvent.objects.filter(action="course summary PDF", user=owner).exists()


def test_the_task_queue_holds_only_the_summarys_id(client_for, owner, course, settings):
    """With the database backend (as in production), asking enqueues a task and renders
    nothing in the request; the queue row names no patient."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    client_for(owner).post(reverse("course:summary", args=[course.pk]))

    prepared = PreparedSummary.objects.get(course=course)
    assert prepared.status == PreparedSummary.Status.QUEUED
    queued = DBTaskResult.objects.get(id=prepared.task_id)
    assert queued.task_path == "ipt.termination.summary.prepare_course_summary"
    assert queued.args_kwargs == {"args": [str(prepared.pk)], "kwargs": {}}


def test_while_pending_the_status_polls_and_a_plain_link_refreshes(
    client_for, owner, course, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = client_for(owner)
    client.post(reverse("course:summary", args=[course.pk]))

    html = page(client, course).text
    assert 'hx-trigger="every 2s"' in html
    assert f'href="{reverse("course:summary", args=[course.pk])}">refresh</a>' in html

    partial = page(client, course, **{"HX-Request": "true"}).text
    assert partial.lstrip().startswith('<section id="summary-status"')
    assert "Waiting to be prepared" in partial
    assert "<html" not in partial

    # The worker runs it: the next poll offers the file and stops polling.
    summary_module.prepare_course_summary.call(str(PreparedSummary.objects.get().pk))
    partial = page(client, course, **{"HX-Request": "true"}).text
    assert "Open the course summary (PDF)" in partial
    assert "hx-trigger" not in partial


def test_a_double_click_prepares_one_summary(client_for, owner, course, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = client_for(owner)
    client.post(reverse("course:summary", args=[course.pk]))
    response = client.post(reverse("course:summary", args=[course.pk]), follow=True)

    assert PreparedSummary.objects.filter(course=course).count() == 1
    assert "already being prepared" in response.text


def test_a_summary_whose_worker_is_gone_is_not_waited_for(client_for, owner, course, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = client_for(owner)
    client.post(reverse("course:summary", args=[course.pk]))
    PreparedSummary.objects.update(requested_at=timezone.now() - timedelta(minutes=11))

    assert "did not finish" in page(client, course).text
    client.post(reverse("course:summary", args=[course.pk]))
    assert PreparedSummary.objects.filter(course=course).count() == 2


def test_a_failed_render_is_shown_and_can_be_asked_again(client_for, owner, course, monkeypatch):
    def broken(course, request=None):
        raise OSError("fonts missing")

    monkeypatch.setattr(summary_module, "render_course_summary", broken)
    client = client_for(owner)
    client.post(reverse("course:summary", args=[course.pk]))

    prepared = PreparedSummary.objects.get(course=course)
    assert prepared.status == PreparedSummary.Status.FAILED
    assert prepared.error == "OSError: fonts missing"
    assert "could not be prepared" in page(client, course).text
    download = reverse("course:summary_download", args=[course.pk, prepared.pk])
    assert client.get(download).status_code == 404


def test_a_task_run_twice_renders_once(client_for, owner, course):
    client_for(owner).post(reverse("course:summary", args=[course.pk]))
    prepared = PreparedSummary.objects.get(course=course)

    assert summary_module.prepare_course_summary.call(str(prepared.pk)) == "skipped"


def test_the_supervisor_prepares_and_downloads_but_changes_nothing(client_for, supervisor, course):
    response = prepared_summary(client_for(supervisor), course)

    assert response.status_code == 200
    assert "Interim summary" in text_of(response.content)


def test_a_closed_course_still_gets_its_summary(client_for, owner, course):
    course.end_early(owner, "referral", timezone.localdate(), note="Referred on.")
    assert course.phase == Phase.ENDED_EARLY

    assert prepared_summary(client_for(owner), course).status_code == 200


@pytest.mark.parametrize("who", ["colleague", "stranger"])
def test_others_can_neither_ask_nor_download(client_for, request, owner, course, who):
    prepared_summary(client_for(owner), course)
    prepared = PreparedSummary.objects.get(course=course)
    other = client_for(request.getfixturevalue(who))

    assert other.post(reverse("course:summary", args=[course.pk])).status_code == 404
    download = reverse("course:summary_download", args=[course.pk, prepared.pk])
    assert other.get(download).status_code == 404
    assert PreparedSummary.objects.filter(course=course).count() == 1


def test_a_summary_is_downloaded_only_through_its_own_course(client_for, owner, course):
    """Another course the user may read does not open this course's summary."""
    prepared_summary(client_for(owner), course)
    prepared = PreparedSummary.objects.get(course=course)
    other = CourseFactory(patient=PatientFactory(therapist=owner))

    url = reverse("course:summary_download", args=[other.pk, prepared.pk])
    assert client_for(owner).get(url).status_code == 404


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_a_summary_not_ready_is_not_downloadable(client_for, owner, course):
    client_for(owner).post(reverse("course:summary", args=[course.pk]))
    prepared = PreparedSummary.objects.get(course=course)

    url = reverse("course:summary_download", args=[course.pk, prepared.pk])
    assert client_for(owner).get(url).status_code == 404
