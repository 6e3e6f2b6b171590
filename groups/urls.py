from django.urls import path

from groups import ending_views, session_views, views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_new, name="new"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member_pk>/leave/", views.member_leave, name="member_leave"),
    path("<int:pk>/sessions/plan/", views.group_session_plan, name="session_plan"),
    path("<int:pk>/middle-phase/", views.to_middle, name="to_middle"),
    path("<int:pk>/sessions/<int:session_pk>/", views.group_session_detail, name="session"),
    path(
        "<int:pk>/sessions/<int:session_pk>/checklist/",
        session_views.checklist,
        name="session_checklist",
    ),
    path(
        "<int:pk>/sessions/<int:session_pk>/correct/",
        session_views.correct,
        name="session_correct",
    ),
    path(
        "<int:pk>/sessions/<int:session_pk>/finalise/",
        session_views.finalise,
        name="session_finalise",
    ),
    path("<int:pk>/ending/", ending_views.ending, name="ending"),
    path(
        "<int:pk>/ending/termination-phase/",
        ending_views.to_termination,
        name="ending_termination",
    ),
]
