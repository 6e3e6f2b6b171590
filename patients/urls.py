from django.urls import path

from patients import views

app_name = "patients"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.patient_create, name="create"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
]
