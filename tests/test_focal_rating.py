"""The focal-relationship rating: recorded on the session page, charted on the course page."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from ipt.models import Phase, ProblemArea
from sessions_app.models import FocalRating
from tests.factories import CourseFactory, MeasureFactory, ProblemAreaFactory, SessionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient, phase=Phase.MIDDLE)


@pytest.fixture
def area(course):
    return ProblemAreaFactory(course=course)


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


def _url(session, area):
    return reverse("sessions_app:focal_rating", args=[session.pk, area.pk])


@pytest.mark.parametrize(("posted", "saved"), [("0", 0), ("6", 6), ("10", 10)])
def test_the_rating_is_saved_exactly_as_chosen(owner_client, course, area, posted, saved):
    session = SessionFactory(course=course, number=5)
    response = owner_client.post(_url(session, area), {"rating": posted}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text  # only the rating is swapped
    assert FocalRating.objects.get(session=session, problem_area=area).rating == saved
    assert re.search(rf'name="rating"\s+value="{saved}"\s+checked', response.text)


@pytest.mark.parametrize("posted", ["11", "-1", "x"])
def test_a_rating_off_the_scale_is_refused_with_a_message(owner_client, course, area, posted):
    session = SessionFactory(course=course, number=5)
    response = owner_client.post(_url(session, area), {"rating": posted}, headers=HTMX)
    assert "Choose a rating from 0 to 10." in response.text
    assert not FocalRating.objects.exists()


def test_a_second_choice_replaces_the_first_and_blank_clears_it(owner_client, course, area):
    session = SessionFactory(course=course, number=5)
    owner_client.post(_url(session, area), {"rating": "3"})
    owner_client.post(_url(session, area), {"rating": "4"})
    assert list(FocalRating.objects.values_list("rating", flat=True)) == [4]
    owner_client.post(_url(session, area), {"rating": ""})
    assert not FocalRating.objects.exists()


def test_initial_phase_sessions_take_no_focal_rating(owner_client, course, area):
    session = SessionFactory(course=course, number=2)
    page = owner_client.get(session.get_absolute_url())
    assert "rating of the focal area" not in page.text
    owner_client.post(_url(session, area), {"rating": "5"})
    assert not FocalRating.objects.exists()


def test_the_session_page_shows_the_last_rating_beside_todays(owner_client, course, area):
    earlier = SessionFactory(course=course, number=4)
    FocalRating.objects.create(session=earlier, problem_area=area, rating=3)
    session = SessionFactory(course=course, number=5)
    page = owner_client.get(session.get_absolute_url())
    assert "The patient's rating of the focal area" in page.text
    assert "At session 4: 3 / 10." in page.text
    assert area.in_plain_words in page.text


def test_another_courses_area_is_not_found(owner_client, course, patient):
    session = SessionFactory(course=course, number=5)
    stranger_area = ProblemAreaFactory(area=ProblemArea.Area.GRIEF, from_role="", to_role="")
    response = owner_client.post(_url(session, stranger_area), {"rating": "5"})
    assert response.status_code == 404


def test_a_finalised_session_keeps_its_rating(owner_client, owner, course, area):
    session = SessionFactory(course=course, number=5)
    FocalRating.record(session, area, 4)
    MeasureFactory(course=course)  # a baseline, so nothing blocks finalising
    session.finalise(owner)
    owner_client.post(_url(session, area), {"rating": "9"})
    assert FocalRating.objects.get().rating == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        FocalRating.objects.update(rating=9)  # the database keeps it too


def test_the_database_refuses_a_rating_above_10(course, area):
    session = SessionFactory(course=course, number=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        FocalRating.objects.create(session=session, problem_area=area, rating=11)


def _rated_course(course, area, focal, phq9):
    start = course.start_date
    for number in range(1, max(focal) + 1):
        session = SessionFactory(course=course, number=number)
        if number in phq9:
            session.phq9 = MeasureFactory(
                course=course, answers=phq9[number], taken_on=start + timedelta(weeks=number - 1)
            )
            session.save()
        if number in focal:
            FocalRating.objects.create(session=session, problem_area=area, rating=focal[number])


def test_the_course_page_charts_the_ratings_and_reads_which_came_first(owner_client, course, area):
    high, mid, low = (2, 2, 2, 2, 2, 2, 2, 2, 0), (2, 2, 2, 2, 2, 2, 1, 1, 0), (1,) * 8 + (0,)
    _rated_course(
        course, area, focal={4: 2, 5: 6, 6: 7, 7: 7},
        phq9={1: high, 4: high, 5: mid, 6: low, 7: low},
    )  # fmt: skip
    page = owner_client.get(reverse("course:overview", args=[course.pk]))
    assert page.status_code == 200
    assert 'class="chart ratings-chart"' in page.text
    assert "Interpersonal change first." in page.text
    assert "the focal rating improved from session 5" in page.text
    assert "One course proves nothing" in page.text
    # The data table, with each reading's change since the one before.
    assert re.search(r"<th scope=\"row\">\s*5\s*</th>\s*<td>\s*14 \(−2\)", page.text)
    assert "6 (+4)" in page.text


def test_the_course_page_without_ratings_shows_no_ratings_chart(owner_client, course):
    page = owner_client.get(reverse("course:overview", args=[course.pk]))
    assert "ratings-chart" not in page.text


def test_the_caseload_review_counts_the_courses_showing_interpersonal_change_first(
    client_for, supervisor, course, area
):
    high, mid, low = (2, 2, 2, 2, 2, 2, 2, 2, 0), (2, 2, 2, 2, 2, 2, 1, 1, 0), (1,) * 8 + (0,)
    _rated_course(
        course, area, focal={4: 2, 5: 6, 6: 7, 7: 7},
        phq9={1: high, 4: high, 5: mid, 6: low, 7: low},
    )  # fmt: skip
    page = client_for(supervisor).get(reverse("dashboard"))
    assert "Of the 1 course with focal ratings" in page.text
    assert re.search(r"Interpersonal change first: <strong>1</strong>", page.text)
    assert re.search(r"Symptoms first: <strong>0</strong>", page.text)
