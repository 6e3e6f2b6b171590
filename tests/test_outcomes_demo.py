"""The outcomes report read against counts worked out by hand from the demo clinic
(ipt/devtools/demo/: the vignettes and the past year's courses, past_year.py)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from ipt.models import User


@pytest.fixture
def report(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    client.force_login(User.objects.get(username="cliniclead"))
    response = client.get(reverse("outcomes"))
    assert response.status_code == 200
    return response


def test_every_figure_of_the_demo_clinic_matches_the_hand_count(report):
    """One test, as seeding the demo takes a while."""
    s = report.context["summary"]
    # Completed, all with a first and a last PHQ-9: the 21 of past_year.py, Robert Chen
    # (16 -> 3), Sofia Marin (18 -> 8) and Kwame Mensah (17 -> 15).
    assert (s.completed, s.paired.count, s.paired.denominator) == (24, 24, 24)
    counts = {key: rate.count for key, rate in s.outcomes.items()}
    assert counts == {
        # past_year: the 8 remitted, the 4 below 10, Nadia Rahimi (9 -> 2); Robert; Sofia.
        "response": 8 + 4 + 1 + 1 + 1,
        # past_year: the 8 below 5 and Nadia; Robert.
        "remission": 8 + 1 + 1,
        # past_year: 8 + 4 + the 3 still a case + Nadia; Robert; Sofia.
        "reliable_improvement": 8 + 4 + 3 + 1 + 1 + 1,
        # past_year: 8 + 4 (Nadia was never a case); Robert; Sofia.
        "reliable_recovery": 8 + 4 + 1 + 1,
        # past_year: Ruby Ashworth (9 -> 16) and Stefan Kowal (11 -> 18).
        "reliable_deterioration": 2,
    }
    assert all(rate.denominator == 24 and not rate.suppressed for rate in s.outcomes.values())
    # Ended early: past_year's five, and Olivia Grant (dropped out).
    assert s.ended_by_reason == {"drop_out": 3, "referral": 1, "hospitalisation": 1, "other": 1}
    assert s.median_days_to_first is not None and s.median_days_to_first > 0
    assert s.sessions_measured.count > 0 and s.median_sessions

    # Every rate by quarter and by problem area is shown, none below the small-cell limit.
    body = report.content.decode()
    assert "3 of 24 (12%)" not in body  # (a guard against reading the wrong figures)
    assert "14 of 24 (58%)" in body  # reliable recovery, at clinic level
    shown = [
        s for _, s, _ in report.context["quarters_table"] if not s.outcomes["response"].suppressed
    ]
    assert len(shown) >= 2
    areas = {label: s for label, s, _ in report.context["by_area"]}
    for area in areas.values():
        assert not area.suppressed and not area.outcomes["response"].suppressed
