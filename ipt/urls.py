from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ipt import views
from ipt.accounts import mfa, sessions
from ipt.course import parent_views
from ipt.course import views as course
from ipt.fhir import imports as fhir_imports
from ipt.fhir import views as fhir
from ipt.initial.views import contract, focus, inventory, screening, timeline
from ipt.measures import views as measures
from ipt.outcomes import views as outcomes
from ipt.supervision import views as supervision
from ipt.termination.views import maintenance, relapse_plan, summary
from ipt.termination.views import review as termination
from patients import views as patients

# Who is treated (patients/) beside the courses they are treated in (the caseload lists both).
patient_patterns = [
    path("", course.caseload, name="caseload"),
    path("new/", patients.patient_create, name="create"),
    path("import/", fhir_imports.referral_import, name="import"),
    path("<int:pk>/", course.patient_detail, name="detail"),
    path("<int:pk>/edit/", patients.patient_edit, name="edit"),
    path("<int:pk>/access/", patients.access_log, name="access_log"),
    path("<int:pk>/history/", patients.change_history, name="history"),
]

course_patterns = [
    path("", course.course_overview, name="overview"),
    path("middle-phase/", course.enter_middle_phase, name="enter_middle"),
    path("termination-phase/", course.enter_termination_phase, name="enter_termination"),
    path("end-early/", course.end_early, name="end_early"),
    path("parents/", parent_views.parents, name="parents"),
    path("parents/<int:parent_pk>/edit/", parent_views.parent_edit, name="parent_edit"),
    path("parents/<int:parent_pk>/consent/", parent_views.parent_consent, name="parent_consent"),
    path("suitability/", screening.suitability, name="suitability"),
    path("diagnosis/", screening.diagnosis, name="diagnosis"),
    path("measures/new/<str:instrument>/", measures.measure_new, name="measure_new"),
    path("measures/<int:measure_pk>/", measures.measure_detail, name="measure_detail"),
    path("risk/new/", measures.risk_new, name="risk_new"),
    path("sick-role/", focus.sick_role, name="sick_role"),
    path("sick-role/handout.pdf", focus.sick_role_pdf, name="sick_role_pdf"),
    path("inventory/", inventory.inventory, name="inventory"),
    path("inventory/<int:person_pk>/", inventory.person_detail, name="person_detail"),
    path("inventory/<int:person_pk>/edit/", inventory.person_edit, name="person_edit"),
    path("inventory/<int:person_pk>/delete/", inventory.person_delete, name="person_delete"),
    path("timeline/", timeline.timeline, name="timeline"),
    path("timeline/<int:event_pk>/edit/", timeline.event_edit, name="event_edit"),
    path("timeline/<int:event_pk>/delete/", timeline.event_delete, name="event_delete"),
    path("problem-areas/", focus.problem_areas, name="problem_areas"),
    path("problem-areas/new/", focus.problem_area_new, name="problem_area_new"),
    path("problem-areas/<int:area_pk>/edit/", focus.problem_area_edit, name="problem_area_edit"),
    path(
        "problem-areas/<int:area_pk>/delete/", focus.problem_area_delete, name="problem_area_delete"
    ),
    path(
        "problem-areas/<int:area_pk>/primary/",
        focus.problem_area_primary,
        name="problem_area_primary",
    ),
    path("formulation/", focus.formulation, name="formulation"),
    path("contract/", contract.contract, name="contract"),
    path("contract/draft/", contract.contract_draft, name="contract_draft"),
    path("contract/refresh/", contract.contract_refresh, name="contract_refresh"),
    path("contract/sign/", contract.contract_sign, name="contract_sign"),
    path("contract/amend/", contract.contract_amend, name="contract_amend"),
    path("contract/v<int:version>.pdf", contract.contract_pdf, name="contract_pdf"),
    path("contract/verify/", contract.contract_verify, name="contract_verify"),
    # termination phase
    path("progress-review/", termination.progress_review, name="progress_review"),
    path("closeness-at-end/", termination.closeness_at_end, name="closeness_at_end"),
    path("closeness-at-end/add/", termination.closeness_at_end_add, name="closeness_at_end_add"),
    path("complete/", termination.complete_course, name="complete"),
    path("summary/", summary.summary, name="summary"),
    path("fhir.json", fhir.course_bundle, name="fhir_export"),
    path("summary/<uuid:summary_pk>.pdf", summary.summary_download, name="summary_download"),
    path("relapse-plan/", relapse_plan.relapse_plan, name="relapse_plan"),
    path("relapse-plan/triggers/new/", relapse_plan.trigger_new, name="trigger_new"),
    path("relapse-plan/triggers/<int:trigger_pk>/", relapse_plan.trigger_edit, name="trigger_edit"),
    path(
        "relapse-plan/triggers/<int:trigger_pk>/delete/",
        relapse_plan.trigger_delete,
        name="trigger_delete",
    ),
    path("relapse-plan.pdf", relapse_plan.relapse_plan_pdf, name="relapse_plan_pdf"),
    path("maintenance/", maintenance.maintenance, name="maintenance"),
    path("maintenance/follow-ups/<int:followup_pk>/", maintenance.followup, name="followup"),
    # supervision
    path("review/", supervision.course_review, name="review"),
    path("feedback/", supervision.feedback_new, name="feedback_new"),
    path(
        "feedback/<int:feedback_pk>/acknowledge/",
        supervision.feedback_acknowledge,
        name="feedback_acknowledge",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/security/", mfa.security, name="mfa_security"),
    path("accounts/code/setup/", mfa.setup, name="mfa_setup"),
    path("accounts/code/", mfa.verify, name="mfa_verify"),
    path("accounts/code/recovery/", mfa.recovery_codes, name="mfa_recovery_codes"),
    path("accounts/stay/", sessions.stay_signed_in, name="stay_signed_in"),
    path("accounts/logins/end/", sessions.end_sign_in, name="end_sign_in"),
    # Django's accounts views, but the password reset by email: a clinic admin sets a new
    # password in the admin (and resets the sign-in code), so no mailbox opens an account.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("patients/", include((patient_patterns, "patients"))),
    path("patients/<int:patient_pk>/courses/new/", course.course_start, name="course_start"),
    path("courses/<int:pk>/", include((course_patterns, "course"))),
    path("", include("sessions_app.urls")),
    path("outcomes/", outcomes.report, name="outcomes"),
    path("outcomes/outcomes.csv", outcomes.report_csv, name="outcomes_csv"),
    path("exports/fhir/", fhir.exports, name="fhir_exports"),
    path("exports/fhir/<uuid:export_pk>.json", fhir.export_download, name="fhir_export_download"),
    path("groups/", include("groups.urls")),
    path("supervision/", supervision.dashboard, name="dashboard"),
    path("supervision/caseload.csv", supervision.dashboard_csv, name="dashboard_csv"),
    path("sessions/<int:pk>/ratings/", supervision.session_ratings, name="session_ratings"),
    path(
        "sessions/<int:pk>/self-rating/",
        supervision.session_self_rating,
        name="session_self_rating",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "ipt.errors.permission_denied"
handler404 = "ipt.errors.page_not_found"
handler500 = "ipt.errors.server_error"
