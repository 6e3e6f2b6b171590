"""The patient's questionnaire before a session: a one-time link, answered without a login."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ipt.course.models import TransitionRefused
from ipt.initial.contract import DEFAULT_CRISIS_PLAN
from ipt.measures import instruments
from ipt.measures.models import MeasureResponse
from sessions_app.coursewatch import CourseWatch
from sessions_app.models import QuestionnaireEvent, QuestionnaireLink, Session
from tests.factories import CourseFactory, PatientFactory, SessionFactory

NO_RISK = [1, 2, 1, 1, 0, 1, 1, 0, 0]
ITEM9 = [2, 2, 2, 1, 1, 2, 1, 1, 1]


@pytest.fixture
def patient(owner):
    owner.email = "sam@clinic.example"
    owner.save(update_fields=["email"])
    return PatientFactory(
        therapist=owner, full_name="Maria Fernandez-Quill", email="maria@example.org"
    )


@pytest.fixture
def session(patient):
    course = CourseFactory(patient=patient)
    SessionFactory(course=course, number=1)
    return SessionFactory(
        course=course,
        number=2,
        status=Session.Status.PLANNED,
        scheduled_for=timezone.now() + timedelta(days=2),
    )


def make_link(session, owner, **kwargs):
    return QuestionnaireLink.create_for(session, by=owner, address="10.0.0.1", **kwargs)


def url(token):
    return reverse("sessions_app:questionnaire", args=[token])


def answer_all(client, token, phq9, *, difficulty=1, gad7=None):
    """Answer every step as a patient would (one POST per question), then send them."""
    client.get(url(token))
    keys = [f"phq9.{n}" for n in range(1, 10)]
    values = list(phq9)
    if any(phq9):
        keys.append("difficulty")
        values.append(difficulty)
    for n, value in enumerate(gad7 or [], 1):
        keys.append(f"gad7.{n}")
        values.append(value)
    for key, value in zip(keys, values, strict=True):
        response = client.post(url(token), {"step": key, "answer": value})
        assert response.status_code == 302, response.content
    return client.post(url(token), {"send": "1"})


# --- the token -----------------------------------------------------------------------------------
def test_only_the_tokens_hash_is_stored(session, owner):
    link, token = make_link(session, owner)
    assert len(token) >= 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = QuestionnaireLink.objects.filter(pk=link.pk).values().get()
    assert token not in str(stored)
    assert link.expires_at - link.created_at == timedelta(hours=72)


def test_the_expiry_is_a_setting(session, owner, settings):
    settings.QUESTIONNAIRE_LINK_HOURS = 24
    link, _ = make_link(session, owner)
    assert link.expires_at - link.created_at == timedelta(hours=24)


def test_a_link_is_used_once(client, session, owner):
    _, token = make_link(session, owner)
    response = answer_all(client, token, NO_RISK)
    assert response.status_code == 200
    assert b"Thank you, Maria" in response.content
    for again in (client.get(url(token)), client.post(url(token), {"send": "1"})):
        assert again.status_code == 404
        assert b"This link cannot be opened" in again.content
    assert (
        MeasureResponse.objects.filter(course=session.course, instrument_code="phq9").count() == 1
    )


def test_an_expired_link_opens_nothing_and_keeps_no_answers(client, session, owner):
    link, token = make_link(session, owner)
    client.post(url(token), {"step": "phq9.1", "answer": 2})
    QuestionnaireLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert client.get(url(token)).status_code == 404
    assert client.post(url(token), {"step": "phq9.2", "answer": 1}).status_code == 404
    link.refresh_from_db()
    assert link.answers == {"phq9.1": 2}
    assert link.status == "expired"


def test_a_revoked_link_opens_nothing(client, client_for, session, owner):
    link, token = make_link(session, owner)
    response = client_for(owner).post(
        reverse("sessions_app:questionnaire_revoke", args=[session.pk, link.pk])
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(url(token)).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == owner


def test_a_new_link_replaces_the_open_one(client, session, owner):
    first, first_token = make_link(session, owner)
    second, second_token = make_link(session, owner)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(QuestionnaireLink.objects.open().filter(session=session)) == [second]
    assert client.get(url(first_token)).status_code == 404
    assert client.get(url(second_token)).status_code == 200


def test_a_link_is_bound_to_its_session(client_for, session, owner):
    other = SessionFactory(
        course=session.course,
        number=3,
        status=Session.Status.PLANNED,
        scheduled_for=timezone.now() + timedelta(days=9),
    )
    link, token = make_link(other, owner)
    client = client_for(owner)
    revoke = reverse("sessions_app:questionnaire_revoke", args=[session.pk, link.pk])
    assert client.post(revoke).status_code == 404
    sent = client.post(
        reverse("sessions_app:questionnaire_send", args=[session.pk]),
        {"link": link.pk, "token": token},
    )
    assert sent.status_code == 302 and not mail.outbox
    link.refresh_from_db()
    assert link.is_live
    client.logout()
    answer_all(client, token, NO_RISK)
    session.refresh_from_db()
    other.refresh_from_db()
    assert session.phq9_id is None and other.phq9_id is not None


def test_a_link_is_made_for_a_session_still_to_come(session, owner):
    held = Session.objects.get(course=session.course, number=1)
    with pytest.raises(TransitionRefused):
        make_link(held, owner)
    session.record_phq9([0] * 9, by=owner)
    with pytest.raises(TransitionRefused):
        make_link(session, owner)


def test_sending_needs_the_token_shown_at_creation(client_for, session, owner):
    link, token = make_link(session, owner)
    client = client_for(owner)
    send = reverse("sessions_app:questionnaire_send", args=[session.pk])
    client.post(send, {"link": link.pk, "token": token[:-1] + "x"})
    assert not mail.outbox
    client.post(send, {"link": link.pk, "token": token})
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]
    assert url(token) in mail.outbox[0].body


# --- what a wrong token shows --------------------------------------------------------------------
def test_wrong_used_expired_and_revoked_tokens_look_the_same(client, session, owner):
    _, used = make_link(session, owner)
    answer_all(client, used, NO_RISK)
    later = SessionFactory(
        course=session.course,
        number=4,
        status=Session.Status.PLANNED,
        scheduled_for=timezone.now() + timedelta(days=20),
    )
    expired_link, expired = make_link(later, owner)
    QuestionnaireLink.objects.filter(pk=expired_link.pk).update(expires_at=timezone.now())
    revoked_link, revoked = make_link(later, owner)  # replaces (revokes) the expired one
    revoked_link.revoke(by=owner)
    answers = [client.get(url(t)) for t in ("x" * 43, used, expired, revoked)]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    page = answers[0].content.decode()
    for secret in ("Maria", "Fernandez", "Quill", "maria@example.org", "Session", "PHQ"):
        assert secret not in page


def test_the_patient_page_greets_by_first_name_only(client, session, owner):
    _, token = make_link(session, owner)
    page = client.get(url(token)).content.decode()
    assert "Hello Maria." in page
    assert "Fernandez" not in page and "Quill" not in page and "Reyes" not in page
    assert instruments.PHQ9.items[0].text in page
    assert "My caseload" not in page and "Log out" not in page
    assert 'style="' not in page


def test_one_question_per_page_with_the_validated_wording(client, session, owner):
    _, token = make_link(session, owner, with_gad7=True)
    client.get(url(token))
    for item in instruments.PHQ9.items:
        page = client.get(url(token)).content.decode()
        assert item.text.replace("'", "&#x27;") in page
        # 9 + 7, and the PHQ-9's "how difficult" once an item was above 0
        assert f"Question {item.number} of {16 if item.number == 1 else 17}" in page
        client.post(url(token), {"step": f"phq9.{item.number}", "answer": 1})
    assert instruments.PHQ9.difficulty_question in client.get(url(token)).content.decode()


def test_an_answer_must_be_one_of_the_choices(client, session, owner):
    link, token = make_link(session, owner)
    response = client.post(url(token), {"step": "phq9.1", "answer": "7"})
    assert response.status_code == 400
    assert b"Choose one of the answers" in response.content
    response = client.post(url(token), {"send": "1"})  # nothing answered yet: back to the start
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.answers == {} and link.completed_at is None


def test_going_back_changes_an_answer(client, session, owner):
    link, token = make_link(session, owner)
    client.post(url(token), {"step": "phq9.1", "answer": 3})
    client.post(url(token), {"step": "phq9.2", "answer": 3})
    page = client.get(url(token) + "?step=1").content.decode()
    assert 'value="3"\n                   required\n                   checked' in page
    response = client.post(url(token), {"step": "phq9.1", "answer": 0})
    assert response.url.endswith("?step=2")
    link.refresh_from_db()
    assert link.answers == {"phq9.1": 0, "phq9.2": 3}


def test_the_difficulty_question_is_skipped_when_nothing_was_checked(client, session, owner):
    _, token = make_link(session, owner)
    assert answer_all(client, token, [0] * 9).status_code == 200
    session.refresh_from_db()
    assert session.phq9.total == 0 and session.phq9.difficulty is None


# --- rate limits ---------------------------------------------------------------------------------
def test_requests_are_limited_per_address(client, session, owner, settings):
    settings.QUESTIONNAIRE_RATE_PER_ADDRESS = (3, 600)
    _, token = make_link(session, owner)
    assert [client.get(url(token)).status_code for _ in range(4)] == [200, 200, 200, 429]
    other = client.get(url(token), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


def test_requests_are_limited_per_link(client, session, owner, settings):
    settings.QUESTIONNAIRE_RATE_PER_LINK = (2, 600)
    _, token = make_link(session, owner)
    codes = [client.get(url(token), REMOTE_ADDR=f"10.0.1.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_guessing_tokens_is_cut_off_per_address(client, session, owner, settings):
    settings.QUESTIONNAIRE_RATE_UNKNOWN_PER_ADDRESS = (3, 600)
    _, token = make_link(session, owner)
    codes = [client.get(url(f"guess{n}")).status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]
    assert client.get(url(token)).status_code == 429  # even a right one, from there, for now
    assert client.get(url(token), REMOTE_ADDR="10.7.7.7").status_code == 200


# --- in the session ------------------------------------------------------------------------------
def test_the_patients_phq9_becomes_the_sessions(client, client_for, session, owner):
    _, token = make_link(session, owner, with_gad7=True)
    answer_all(client, token, NO_RISK, gad7=[1, 1, 2, 1, 0, 0, 1])
    session.refresh_from_db()
    assert session.phq9.answers == NO_RISK and session.phq9.total == 7
    assert session.phq9.difficulty == 1
    gad7 = MeasureResponse.objects.get(course=session.course, instrument_code="gad7")
    assert gad7.total == 6
    page = client_for(owner).get(session.get_absolute_url()).content.decode()
    assert "Completed by the patient at" in page
    assert "PHQ-9 today: <strong>7</strong>" in page
    assert "GAD-7 from the patient: <strong>6</strong>" in page


def test_a_phq9_recorded_in_the_room_stays_the_sessions(client, client_for, session, owner):
    _, token = make_link(session, owner)
    client.post(url(token), {"step": "phq9.1", "answer": 1})
    room = session.record_phq9([3] * 8 + [0], by=owner)
    answer_all(client, token, NO_RISK)
    session.refresh_from_db()
    assert session.phq9 == room
    assert MeasureResponse.objects.filter(course=session.course, total=7).exists()
    page = client_for(owner).get(session.get_absolute_url()).content.decode()
    assert "kept as a measure of its own" in page
    assert "Completed by the patient at" not in page


def test_two_submissions_record_one_phq9(client, session, owner):
    link, token = make_link(session, owner)
    answer_all(client, token, NO_RISK)
    with pytest.raises(Exception):  # noqa: B017 - the link is used: LinkUnavailable
        link.complete()
    assert MeasureResponse.objects.filter(course=session.course).count() == 1


# --- item 9 --------------------------------------------------------------------------------------
def test_item9_shows_the_crisis_text_raises_the_risk_and_alerts_the_therapist(
    client, client_for, session, owner
):
    _, token = make_link(session, owner)
    response = answer_all(client, token, ITEM9)
    page = response.content.decode()
    assert "If you are having thoughts of hurting yourself" in page
    assert DEFAULT_CRISIS_PLAN.replace("&", "&amp;") in page
    watch = CourseWatch.objects.get(course=session.course)
    assert watch.risk_kind == "unassessed"
    assert any("PHQ-9 item 9 scored 1" in s for s in watch.risk_signals)
    assert [m.to for m in mail.outbox] == [["sam@clinic.example"]]
    alert = mail.outbox[0]
    assert alert.subject == "A questionnaire needs your attention"
    assert session.get_absolute_url() in alert.body
    for clinical in ("Maria", "Fernandez", "PHQ", "item 9"):
        assert clinical not in alert.body
    assert not re.search(r"(?<![/\d])13(?![/\d])", alert.body)  # no score (ids in links aside)
    therapist = client_for(owner)
    assert (
        "PHQ-9 item 9 scored 1" in therapist.get(session.course.get_absolute_url()).content.decode()
    )
    today = therapist.get(reverse("home")).content.decode()
    assert 'id="risk-heading"' in today and "Maria Fernandez-Quill" in today


def test_no_item9_no_crisis_box_and_no_alert(client, session, owner):
    _, token = make_link(session, owner)
    page = answer_all(client, token, NO_RISK).content.decode()
    assert "If you are having thoughts of hurting yourself" not in page
    assert not mail.outbox
    assert CourseWatch.objects.get(course=session.course).risk_kind == ""


def test_the_crisis_text_is_the_contracts(client, session, owner):
    from tests.factories import ContractFactory

    ContractFactory(
        course=session.course, crisis_plan="Call the Riverside crisis team: 0800 000 111."
    )
    _, token = make_link(session, owner)
    assert b"Riverside crisis team: 0800 000 111" in answer_all(client, token, ITEM9).content


# --- audit ---------------------------------------------------------------------------------------
def test_every_step_of_a_link_is_an_event_with_time_and_address(client, client_for, session, owner):
    staff = client_for(owner)
    created = staff.post(
        reverse("sessions_app:questionnaire_new", args=[session.pk]), {"email": "on"}
    )
    assert created.status_code == 200
    token = created.context["token"]
    assert url(token) in mail.outbox[0].body
    client.logout()
    answer_all(client, token, NO_RISK)
    second, _ = make_link(session.course.sessions.create(
        number=5, scheduled_for=timezone.now() + timedelta(days=30)
    ), owner)  # fmt: skip
    second.revoke(by=owner, address="10.0.0.2")
    kinds = list(QuestionnaireEvent.objects.values_list("kind", "ip_address"))
    assert kinds == [
        ("created", "127.0.0.1"),
        ("sent", "127.0.0.1"),
        ("opened", "127.0.0.1"),
        ("completed", "127.0.0.1"),
        ("created", "10.0.0.1"),
        ("revoked", "10.0.0.2"),
    ]
    assert all(e.at for e in QuestionnaireEvent.objects.all())


def test_questionnaire_events_are_append_only(session, owner):
    from django.db import IntegrityError, transaction

    make_link(session, owner)
    event = QuestionnaireEvent.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(IntegrityError), transaction.atomic():
        event.delete()


# --- the link page -------------------------------------------------------------------------------
def test_the_link_is_shown_once_as_address_and_qr_code(client_for, session, owner):
    response = client_for(owner).post(
        reverse("sessions_app:questionnaire_new", args=[session.pk]), {"with_gad7": "on"}
    )
    page = response.content.decode()
    token = response.context["token"]
    assert f"http://testserver{url(token)}" in page
    assert "<svg" in page and 'style="' not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert response["Cache-Control"] == "no-store"
    again = client_for(owner).get(session.get_absolute_url()).content.decode()
    assert token not in again and "A questionnaire link is waiting" in again


def test_a_signed_in_colleague_without_the_second_factor_can_still_answer(
    client, session, owner, colleague, settings
):
    settings.MFA_REQUIRED = True
    _, token = make_link(session, owner)
    client.force_login(colleague)
    assert client.get(url(token)).status_code == 200
    assert client.get(reverse("home")).status_code == 302  # the rest still asks for the code


def test_the_patient_pages_are_not_cached(client, session, owner):
    _, token = make_link(session, owner)
    assert "no-store" in client.get(url(token))["Cache-Control"]


# --- the demo clinic -----------------------------------------------------------------------------
def test_the_demo_has_a_completed_questionnaire_and_a_link_waiting(client, db, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())  # idempotent: no second link
    done = QuestionnaireLink.objects.get(session__course__patient__full_name="Daniel Moreno")
    assert done.completed_at and done.is_the_sessions_phq9 and done.gad7_id
    assert done.session.status == Session.Status.PLANNED
    waiting = QuestionnaireLink.objects.get(session__course__patient__full_name="Owen Price")
    assert waiting.is_live
    path = out.getvalue().split("waiting for Owen Price (", 1)[1].split(")", 1)[0]
    assert "Hello Owen." in client.get(path).content.decode()
