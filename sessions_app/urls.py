from django.urls import path, register_converter

from sessions_app import focal_views, parent_views, views
from sessions_app.calendarfeed import views as calendarfeed
from sessions_app.selfreport import views as selfreport


class RowKind:
    """The kinds of row added during a session (views.ROWS)."""

    regex = "event|analysis|decision|homework"
    sample = "event"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RowKind, "row")

app_name = "sessions_app"
urlpatterns = [
    path("courses/<int:pk>/sessions/", views.course_sessions, name="course_sessions"),
    path(
        "courses/<int:pk>/parent-sessions/new/",
        parent_views.parent_session_new,
        name="parent_session_new",
    ),
    path("parent-sessions/<int:pk>/", parent_views.parent_session, name="parent_session"),
    path(
        "parent-sessions/<int:pk>/finalise/",
        parent_views.parent_session_finalise,
        name="parent_session_finalise",
    ),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/status/", views.set_status, name="status"),
    path("sessions/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("sessions/<int:pk>/phq9/", views.record_phq9, name="phq9"),
    path("sessions/<int:pk>/mood/", views.record_mood, name="mood"),
    path(
        "sessions/<int:pk>/focal-rating/<int:area_pk>/",
        focal_views.record_focal_rating,
        name="focal_rating",
    ),
    path("sessions/<int:pk>/techniques/", views.set_techniques, name="techniques"),
    path("sessions/<int:pk>/dispute/<int:area_pk>/", views.set_dispute_stage, name="dispute_stage"),
    path("sessions/<int:pk>/<row:kind>/new/", views.add_row, name="add_row"),
    path("sessions/<int:pk>/<row:kind>/<int:row_pk>/", views.update_row, name="update_row"),
    path("sessions/<int:pk>/<row:kind>/<int:row_pk>/delete/", views.delete_row, name="delete_row"),
    path(
        "sessions/<int:pk>/homework-review/<int:homework_pk>/",
        views.review_homework,
        name="review_homework",
    ),
    path("sessions/<int:pk>/autosave/", views.autosave, name="autosave"),
    path(
        "sessions/<int:pk>/decision/<int:row_pk>/homework/",
        views.decision_homework,
        name="decision_homework",
    ),
    path("sessions/<int:pk>/finalise/", views.finalise, name="finalise"),
    path("sessions/<int:pk>/addenda/", views.add_addendum, name="addendum"),
    path("sessions/<int:pk>/questionnaire/", selfreport.link_new, name="questionnaire_new"),
    path("sessions/<int:pk>/questionnaire/send/", selfreport.link_send, name="questionnaire_send"),
    path(
        "sessions/<int:pk>/questionnaire/<int:link_pk>/revoke/",
        selfreport.link_revoke,
        name="questionnaire_revoke",
    ),
    # The same for a maintenance follow-up still due, after the course.
    path(
        "courses/<int:pk>/maintenance/follow-ups/<int:followup_pk>/questionnaire/",
        selfreport.followup_link_new,
        name="followup_questionnaire_new",
    ),
    path(
        "courses/<int:pk>/maintenance/follow-ups/<int:followup_pk>/questionnaire/send/",
        selfreport.followup_link_send,
        name="followup_questionnaire_send",
    ),
    path(
        "courses/<int:pk>/maintenance/follow-ups/<int:followup_pk>/questionnaire/<int:link_pk>/revoke/",
        selfreport.followup_link_revoke,
        name="followup_questionnaire_revoke",
    ),
    # The therapist's calendar feed: made on their own page; read without a login, the token
    # being the only key (sessions_app/calendarfeed/).
    path("calendar/", calendarfeed.calendar_settings, name="calendar"),
    path("calendar/new/", calendarfeed.calendar_new, name="calendar_new"),
    path("calendar/revoke/", calendarfeed.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", calendarfeed.calendar_feed, name="calendar_feed"),
    # The patient's page: no login; the token is the only key (sessions_app/selfreport/).
    path("q/<str:token>/", selfreport.questionnaire, name="questionnaire"),
]
