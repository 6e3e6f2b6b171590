"""The IPT fidelity scale: the anchored catalogue, suggestions from the record, agreement, the
supervisor's rating with the drift item, and the therapist's self-rating beside it."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ipt.models import DriftRating, Phase, SessionRating
from ipt.supervision import fidelity
from ipt.supervision.fidelity import APART, NEAR, SAME, RecordFacts, agreement, compare, suggest
from sessions_app.models import Session
from tests.factories import (
    CommunicationAnalysisFactory,
    CourseFactory,
    HomeworkFactory,
    InterpersonalEventFactory,
    InventoryPersonFactory,
    MeasureFactory,
    ProblemAreaFactory,
    SessionFactory,
)

FULL_CA = {
    "scene": "Kitchen, Sunday.",
    "verbatim": "'So I'm useless now?'",
    "impact": "She went quiet.",
    "alternatives": "'Can we look at it together?'",
}


# --- the catalogue (pure) ---------------------------------------------------------------------
def test_six_items_each_with_anchors_for_one_three_and_five():
    assert [i.key for i in fidelity.ITEMS] == [
        "mood_and_events",
        "focal_area",
        "techniques",
        "communication_analysis",
        "stance",
        "homework",
    ]
    for item in fidelity.ITEMS:
        assert sorted(item.anchors) == [1, 3, 5]
        assert all(len(text) > 40 for text in item.anchors.values()), item.key
    assert "ghostwriter" in fidelity.BY_KEY["stance"].label
    assert "impasse" in fidelity.BY_KEY["techniques"].anchors[5]
    assert "role-played" in fidelity.BY_KEY["communication_analysis"].anchors[5]
    assert [v for v, _ in fidelity.DRIFT_LEVELS] == ["none", "some", "substantial"]
    assert "cognitive restructuring" in fidelity.DRIFT_HINT


def test_the_earlier_elements_are_read_on_the_anchored_items():
    # The five elements rated before the anchors keep their keys, so their rows still display.
    for old in ("mood_and_events", "focal_area", "techniques", "homework", "stance"):
        assert old in fidelity.KEYS
        assert old in SessionRating.Element.values


def test_suggestions_follow_what_the_record_shows():
    empty = suggest(RecordFacts())
    assert empty == {
        "mood_and_events": 1,
        "focal_area": None,
        "techniques": None,
        "communication_analysis": None,
        "stance": None,
        "homework": 1,
    }
    full = suggest(
        RecordFacts(
            mood_measured=True,
            events=2,
            focal_events=1,
            focal_work=True,
            analyses_full=1,
            homework_set=1,
            homework_with_person=1,
            homework_reviewed=1,
        )
    )
    assert full["mood_and_events"] == 4
    assert full["focal_area"] == 3
    assert full["communication_analysis"] == 4
    assert full["homework"] == 4
    # A record shows what was done, never how well: no suggestion reaches 5.
    assert max(v for v in full.values() if v) == 4
    assert suggest(RecordFacts(events=1))["mood_and_events"] == 3  # events, none focal, no mood
    assert suggest(RecordFacts(mood_measured=True))["mood_and_events"] == 2
    assert suggest(RecordFacts(analyses_partial=1))["communication_analysis"] == 3
    assert suggest(RecordFacts(homework_set=1))["homework"] == 2  # a task with no person in it
    assert suggest(RecordFacts(homework_set=1, homework_with_person=1))["homework"] == 3


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(3, 3, SAME), (2, 3, NEAR), (5, 4, NEAR), (1, 3, APART), (5, 1, APART), (None, 3, None)],
)
def test_agreement(a, b, expected):
    assert agreement(a, b) == expected


def test_compare_counts_items_within_a_point():
    rows, close, both = compare(
        {"mood_and_events": 5, "stance": 2, "homework": 4}, {"mood_and_events": 4, "stance": 4}
    )
    assert both == 2 and close == 1
    by_key = {item.key: (a, b, agreed) for item, a, b, agreed in rows}
    assert by_key["stance"] == (2, 4, APART)
    assert by_key["homework"] == (4, None, None)


# --- the record's facts -----------------------------------------------------------------------
@pytest.fixture
def course(patient):
    course = CourseFactory(patient=patient, phase=Phase.MIDDLE)
    ProblemAreaFactory(course=course)
    return course


@pytest.fixture
def held(course):
    return SessionFactory(
        course=course,
        number=4,
        status=Session.Status.HELD,
        scheduled_for=timezone.now() - timedelta(days=2),
    )


def test_record_facts_read_the_session(held):
    maria = InventoryPersonFactory(course=held.course, name="Maria")
    InterpersonalEventFactory(session=held, focal=True)
    InterpersonalEventFactory(session=held, focal=False)
    CommunicationAnalysisFactory(session=held, person=maria, **FULL_CA)
    CommunicationAnalysisFactory(session=held)  # scene and words only
    HomeworkFactory(set_in=held, person=maria)
    HomeworkFactory(set_in=held)
    facts = SessionRating.record_facts(held)
    assert facts == RecordFacts(
        mood_measured=False,
        events=2,
        focal_events=1,
        focal_work=False,
        analyses_full=1,
        analyses_partial=1,
        homework_set=2,
        homework_with_person=1,
        homework_reviewed=0,
    )


# --- the supervisor's rating ------------------------------------------------------------------
def ratings_url(s):
    return reverse("session_ratings", args=[s.pk])


def self_url(s):
    return reverse("session_self_rating", args=[s.pk])


def test_the_anchors_stand_beside_each_item(client_for, supervisor, held):
    html = client_for(supervisor).get(ratings_url(held)).content.decode()
    for item in fidelity.ITEMS:
        assert item.label in html
        for text in item.anchors.values():
            assert text.replace("'", "&#x27;") in html
    # Each item is a fieldset whose description is its anchors.
    assert re.search(
        r'<fieldset class="rating-element"\s+aria-describedby="id_stance_score_anchors"', html
    )
    assert 'id="id_stance_score_anchors"' in html
    assert "Non-IPT interventions seen" in html


def test_the_supervisor_records_the_drift_item(client_for, supervisor, held):
    c = client_for(supervisor)
    response = c.post(
        ratings_url(held),
        {"stance_score": "4", "drift_level": "some", "drift_seen": "A thought record."},
    )
    assert response.status_code == 302
    drift = DriftRating.objects.get()
    assert (drift.level, drift.seen, drift.rater, drift.by_therapist) == (
        "some",
        "A thought record.",
        supervisor,
        False,
    )
    assert SessionRating.objects.get().by_therapist is False


def test_drift_needs_what_was_seen_and_what_was_seen_needs_a_level(client_for, supervisor, held):
    c = client_for(supervisor)
    html = c.post(ratings_url(held), {"drift_level": "substantial"}).content.decode()
    assert "Say which non-IPT interventions were seen." in html
    html = c.post(ratings_url(held), {"drift_seen": "Exposure homework."}).content.decode()
    assert "Say how much non-IPT work was seen." in html
    assert "Exposure homework.</textarea>" in html
    assert not DriftRating.objects.exists()
    # The drift item alone is a rating.
    assert c.post(ratings_url(held), {"drift_level": "none"}).status_code == 302
    assert DriftRating.objects.get().level == "none"


# --- the therapist's self-rating --------------------------------------------------------------
def test_the_self_rating_is_pre_filled_from_the_record(client_for, owner, held):
    maria = InventoryPersonFactory(course=held.course, name="Maria")
    held.phq9 = MeasureFactory(course=held.course)
    held.save(update_fields=["phq9"])
    InterpersonalEventFactory(session=held, person=maria, focal=True)
    CommunicationAnalysisFactory(session=held, person=maria, **FULL_CA)
    HomeworkFactory(set_in=held, person=maria)
    html = client_for(owner).get(self_url(held)).content.decode()
    assert re.search(r'name="mood_and_events_score" value="4"[^>]*checked', html)
    assert re.search(r'name="communication_analysis_score" value="4"[^>]*checked', html)
    assert re.search(r'name="homework_score" value="3"[^>]*checked', html)
    assert not re.search(r'name="stance_score" value="\d"[^>]*checked', html)
    assert "suggested from what the record shows" in html


def test_one_self_rating_per_session_and_the_supervisor_sees_it_beside_theirs(
    client_for, owner, supervisor, held
):
    therapist = client_for(owner)
    response = therapist.post(
        self_url(held), {"stance_score": "4", "homework_score": "3", "drift_level": "none"}
    )
    assert response.status_code == 302
    therapist.post(self_url(held), {"stance_score": "5", "homework_score": "3"})
    own = SessionRating.objects.filter(by_therapist=True)
    assert {(r.element, r.score, r.rater) for r in own} == {
        ("stance", 5, owner),
        ("homework", 3, owner),
    }
    # Once rated, the form shows the self-rating, not the suggestions.
    html = therapist.get(self_url(held)).content.decode()
    assert re.search(r'name="stance_score" value="5"[^>]*checked', html)
    assert not re.search(r'name="mood_and_events_score" value="\d"[^>]*checked', html)

    sup = client_for(supervisor)
    sup.post(ratings_url(held), {"stance_score": "2", "homework_score": "4"})
    html = sup.get(ratings_url(held)).content.decode()
    assert "Within a point on 1 of the 2 items you both rated." in html
    assert "Apart by 2 or more" in html
    assert "Within 1 point" in html
    review = sup.get(reverse("course:review", args=[held.course.pk])).content.decode()
    assert "Self-rated: within a point on 1 of 2" in review
    # The self-rating is not counted in the supervisor's mean, nor shown as the supervisor's.
    assert "mean 3.0" in review
    overview = therapist.get(held.course.get_absolute_url()).content.decode()
    assert overview.count("Therapeutic stance: active, supportive ally") == 1


def test_only_the_treating_therapist_self_rates(client_for, supervisor, colleague, held):
    assert client_for(supervisor).get(self_url(held)).status_code == 403
    assert client_for(supervisor).post(self_url(held), {"stance_score": "3"}).status_code == 403
    assert client_for(colleague).get(self_url(held)).status_code == 404
    assert not SessionRating.objects.exists()


def test_a_session_not_held_is_not_self_rated(client_for, owner, course):
    missed = SessionFactory(course=course, number=2, status=Session.Status.MISSED)
    c = client_for(owner)
    assert "nothing to rate" in c.get(self_url(missed)).content.decode()
    assert c.post(self_url(missed), {"stance_score": "3"}).status_code == 302
    assert not SessionRating.objects.exists()


def test_the_database_keeps_one_self_rating_per_session(owner, colleague, held):
    SessionRating.objects.create(
        session=held, rater=owner, by_therapist=True, element="stance", score=3
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRating.objects.create(
            session=held, rater=colleague, by_therapist=True, element="stance", score=4
        )


def test_the_session_page_links_to_the_self_rating(client_for, owner, held):
    html = client_for(owner).get(held.get_absolute_url()).content.decode()
    assert self_url(held) in html
