from django.contrib import admin
from django.urls import include, path

from ipt import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("patients/", include("patients.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "ipt.errors.permission_denied"
handler404 = "ipt.errors.page_not_found"
handler500 = "ipt.errors.server_error"
