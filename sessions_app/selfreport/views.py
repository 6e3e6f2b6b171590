"""The questionnaire link: made, sent and revoked from the session page (or a maintenance
follow-up's page); answered by the
patient on a page of its own, without a login, one question per request (no JavaScript)."""

import logging

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ipt.course.access import get_course_for
from ipt.course.models import TransitionRefused
from ipt.initial.contract import DEFAULT_CRISIS_PLAN
from ipt.termination.models import FollowUp
from sessions_app.access import get_session_for
from sessions_app.models import Session
from sessions_app.selfreport import mail
from sessions_app.selfreport.models import LinkUnavailable, QuestionnaireLink, RateCounter

log = logging.getLogger(__name__)


def _address(request):
    return request.META.get("REMOTE_ADDR") or None


def _qr_svg(url):
    """The link as an inline SVG QR code: attributes only, no style, so the CSP holds."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=5, light="#fff"))


# --- the therapist's side ------------------------------------------------------------------------
class LinkForm(forms.Form):
    with_gad7 = forms.BooleanField(label="Add the GAD-7 (anxiety)", required=False)
    email = forms.BooleanField(label="Email the link to the patient", required=False)


def _followup_for(request, pk, followup_pk, action):
    """A maintenance follow-up of a course the user may write, through the course's access."""
    course, _ = get_course_for(request, pk, action=action, after_completion=True)
    followup = get_object_or_404(
        FollowUp.objects.filter(maintenance__course=course).select_related("maintenance"),
        pk=followup_pk,
    )
    followup.maintenance.course = course
    return followup


def _target_url(target):
    if isinstance(target, FollowUp):
        return reverse("course:followup", args=[target.maintenance.course_id, target.pk])
    return target.get_absolute_url()


def _make(request, target, course):
    """Make the link and show it once: only its hash is kept, so this page is the one place
    the address can be copied from (a new link replaces it if it is lost)."""
    form = LinkForm(request.POST)
    form.is_valid()
    try:
        link, token = QuestionnaireLink.create_for(
            target, by=request.user, with_gad7=form.cleaned_data.get("with_gad7", False),
            address=_address(request),
        )  # fmt: skip
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        return redirect(_target_url(target))
    url = request.build_absolute_uri(reverse("sessions_app:questionnaire", args=[token]))
    sent = form.cleaned_data.get("email") and _send(request, link, url)
    is_session = isinstance(target, Session)
    return render(
        request,
        "selfreport/link_created.html",
        {
            "session": target if is_session else None,
            "followup": None if is_session else target,
            "back": _target_url(target),
            "course": course,
            "link": link,
            "url": url,
            "token": token,
            "qr": _qr_svg(url),
            "sent": sent,
            "patient_email": course.patient.email,
        },
    )


@require_POST
def link_new(request, pk):
    session, _ = get_session_for(request, pk, action="questionnaire link")
    return _make(request, session, session.course)


@require_POST
def followup_link_new(request, pk, followup_pk):
    followup = _followup_for(request, pk, followup_pk, "questionnaire link")
    return _make(request, followup, followup.maintenance.course)


def _send(request, link, url):
    patient = link.course.patient
    try:
        sent = mail.send_link(patient, url, link.expires_at)
    except OSError:
        log.exception("The questionnaire link could not be emailed")
        messages.error(request, "The email could not be sent: copy the link instead.")
        return False
    if sent:
        link.record_sent(by=request.user, address=_address(request))
    else:
        messages.error(request, "The patient has no email address on file.")
    return sent


def _send_made(request, target):
    """Email the link just made: the page sends the token back, checked against the hash."""
    link_pk = request.POST.get("link", "")
    link = target.questionnaire_links.filter(pk=link_pk).first() if link_pk.isdigit() else None
    token = request.POST.get("token", "")
    if link is None or not link.is_live or not link.token_matches(token):
        messages.error(request, "This link can no longer be sent: make a new one.")
        return redirect(_target_url(target))
    url = request.build_absolute_uri(reverse("sessions_app:questionnaire", args=[token]))
    if _send(request, link, url):
        messages.success(request, "The questionnaire link was emailed to the patient.")
    return redirect(_target_url(target))


@require_POST
def link_send(request, pk):
    session, _ = get_session_for(request, pk, action="questionnaire link sent")
    return _send_made(request, session)


@require_POST
def followup_link_send(request, pk, followup_pk):
    return _send_made(request, _followup_for(request, pk, followup_pk, "questionnaire link sent"))


def _revoke(request, target, link_pk):
    link = get_object_or_404(target.questionnaire_links.all(), pk=link_pk)
    try:
        link.revoke(by=request.user, address=_address(request))
    except TransitionRefused as refused:
        messages.error(request, refused.reasons[0])
    else:
        messages.success(request, "The questionnaire link no longer works.")
    return redirect(_target_url(target))


@require_POST
def link_revoke(request, pk, link_pk):
    session, _ = get_session_for(request, pk, action="questionnaire link revoked")
    return _revoke(request, session, link_pk)


@require_POST
def followup_link_revoke(request, pk, followup_pk, link_pk):
    followup = _followup_for(request, pk, followup_pk, "questionnaire link revoked")
    return _revoke(request, followup, link_pk)


# --- the patient's side ----------------------------------------------------------------------------
def _unavailable(request):
    """Unknown, used, expired or revoked: one page, one status, nothing about which."""
    return render(request, "selfreport/unavailable.html", status=404)


def _rate_limited(request, key, rate, *, count=True):
    limit, seconds = rate
    if RateCounter.hit(key, seconds, count=count) > limit - (0 if count else 1):
        return render(request, "selfreport/too_many.html", status=429)
    return None


def crisis_text(course):
    """The crisis section of the patient's contract (the one they signed), else the clinic's
    default wording: the same text as the contract's "In a crisis"."""
    contract = course.signed_contract or course.current_contract
    return contract.crisis_plan if contract else DEFAULT_CRISIS_PLAN


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire(request, token):
    address = _address(request)
    # Per address first, then unknown links per address (no guessing), then per link.
    if refused := _rate_limited(request, f"address:{address}", settings.QUESTIONNAIRE_RATE_PER_ADDRESS) or (
        _rate_limited(request, f"unknown:{address}", settings.QUESTIONNAIRE_RATE_UNKNOWN_PER_ADDRESS, count=False)
    ):  # fmt: skip
        return refused
    try:
        link = QuestionnaireLink.live_for_token(token)
    except LinkUnavailable:
        RateCounter.hit(f"unknown:{address}", settings.QUESTIONNAIRE_RATE_UNKNOWN_PER_ADDRESS[1])
        return _unavailable(request)
    if refused := _rate_limited(request, f"link:{link.pk}", settings.QUESTIONNAIRE_RATE_PER_LINK):
        return refused
    here = reverse("sessions_app:questionnaire", args=[token])
    try:
        if request.method == "POST" and "send" in request.POST:
            return _complete(request, link, here)
        if request.method == "POST":
            return _answer(request, link, here)
    except LinkUnavailable:
        return _unavailable(request)
    link.opened(address)
    return _page(request, link, here, request.GET.get("step", ""))


def _answer(request, link, here):
    key, value = request.POST.get("step", ""), request.POST.get("answer", "")
    try:
        index = link.answer(key, int(value) if value.isdigit() else None)
    except ValueError:
        position = next((i for i, s in enumerate(link.steps()) if s.key == key), None)
        return _page(request, link, here, str((position or 0) + 1), error=True)
    return redirect(f"{here}?step={index + 2}")


def _page(request, link, here, asked, *, error=False):
    steps = link.steps()
    first = link.first_unanswered()
    position = min(int(asked) - 1, first) if asked.isdigit() and int(asked) >= 1 else first
    context = {
        "name": link.course.patient.display_name,
        "here": here,
        "total": len(steps),
        "with_gad7": link.with_gad7,
    }
    if position >= len(steps):
        rows = [(n, s, dict(s.choices)[link.answers[s.key]]) for n, s in enumerate(steps, 1)]
        return render(request, "selfreport/review.html", context | {"rows": rows})
    step = steps[position]
    return render(
        request,
        "selfreport/question.html",
        context
        | {
            "step": step,
            "number": position + 1,
            "chosen": link.answers.get(step.key),
            "previous": position if position > 0 else None,
            "error": error,
            "first_of_instrument": position == 0
            or steps[position - 1].instrument != step.instrument,
        },
        status=400 if error else 200,
    )


def _complete(request, link, here):
    try:
        link = link.complete(address=_address(request))
    except ValueError:
        return redirect(here)
    course = link.course
    at_risk = link.phq9.needs_risk_assessment
    if at_risk:
        # IPT: item 9 above 0 needs a risk assessment: the course's banner is up already (the
        # stored watch); the therapist is told at once, without anything clinical in the email.
        try:
            mail.alert_therapist(
                course.patient.therapist,
                request.build_absolute_uri(link.target_url()),
            )
        except OSError:
            log.exception("The therapist could not be alerted by email")
    return render(
        request,
        "selfreport/done.html",
        {
            "name": course.patient.display_name,
            "at_risk": at_risk,
            "crisis": crisis_text(course) if at_risk else "",
        },
    )
