import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ipt.models import User
from patients.models import Patient
from tests.factories import SupervisorFactory, TherapistFactory


def test_passwords_are_hashed_with_argon2(db, settings):
    from ipt import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = TherapistFactory()
    assert user.password.startswith("argon2")


def test_login_form_logs_in_and_lands_on_the_therapists_day(client, db):
    TherapistFactory(username="ana")
    response = client.post(
        reverse("login"), {"username": "ana", "password": "correct horse battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Today's sessions" in response.text


def test_wrong_password_is_explained_and_the_username_kept(client, db):
    TherapistFactory(username="ana")
    response = client.post(reverse("login"), {"username": "ana", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.text
    assert 'value="ana"' in response.text


def test_logout_is_by_post_only(client_for, owner):
    client = client_for(owner)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("patients:caseload")).status_code == 302


def test_clinic_admin_home_links_to_staff_accounts(client_for, db):
    admin = User.objects.create_user(
        "admin1", role="clinic_admin", is_staff=True, is_superuser=True
    )
    response = client_for(admin).get(reverse("home"))
    assert reverse("admin:ipt_user_changelist") in response.text


def test_only_therapists_can_have_a_supervisor(db):
    from django.db import IntegrityError

    sup = SupervisorFactory()
    with pytest.raises(IntegrityError):
        SupervisorFactory(supervisor=sup)


def test_seed_demo_is_idempotent_and_builds_the_demo_clinic(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    therapist = User.objects.get(username="therapist")
    assert therapist.check_password("ipt-demo")
    assert therapist.supervisor.username == "supervisor"
    assert User.objects.get(username="therapist2").supervisor == therapist.supervisor
    assert Patient.objects.filter(therapist=therapist).count() >= 3
    assert Patient.objects.count() == len({p.full_name for p in Patient.objects.all()})


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "",
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "ipt.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://ipt@127.0.0.1/ipt"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_send_a_content_security_policy_without_inline_script(client_for, owner):
    response = client_for(owner).get(reverse("patients:caseload"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<script>" not in response.text


def test_favicon_is_served_to_anyone(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("favicon.svg")


# --- lockout and the audit of logins -------------------------------------------------------------
def test_wrong_passwords_lock_the_account_and_the_right_one_then_fails(client, settings, db):
    from ipt.models import AuthEvent, User

    user = User.objects.create_user("lockme", password="right-password-1")
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(login, {"username": "lockme", "password": "wrong"})
        assert response.status_code in (200, 429)
    response = client.post(login, {"username": "lockme", "password": "right-password-1"})
    assert response.status_code == 429
    assert "Login locked for now" in response.text
    assert "_auth_user_id" not in client.session
    kinds = set(AuthEvent.objects.values_list("kind", flat=True))
    assert {"login_failed", "locked_out"} <= kinds
    assert not AuthEvent.objects.filter(kind="login", user=user).exists()


def test_logins_and_logouts_are_recorded(client, db):
    from ipt.models import AuthEvent, User

    user = User.objects.create_user("audited", password="right-password-1")
    client.post(reverse("login"), {"username": "audited", "password": "right-password-1"})
    client.post(reverse("logout"))
    assert list(
        AuthEvent.objects.filter(user=user).order_by("at").values_list("kind", flat=True)
    ) == ["login", "logout"]


def test_a_refused_request_is_recorded(client_for, owner, colleague):
    from ipt.models import AuthEvent
    from tests.factories import CourseFactory, PatientFactory

    course = CourseFactory(patient=PatientFactory(therapist=colleague))
    assert client_for(owner).get(course.get_absolute_url()).status_code == 404
    event = AuthEvent.objects.get(kind="refused")
    assert (event.user, event.status, event.path) == (owner, 404, course.get_absolute_url())


# --- the clinic admin cannot raise their own account ------------------------------------------
def _admin_change(client, user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "supervisor": user.supervisor_id or "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return client.post(reverse("admin:ipt_user_change", args=[user.pk]), data)


def test_a_clinic_admin_cannot_give_themself_the_supervisor_role(client_for, owner, db):

    admin_user = User.objects.create_user(
        "admin2", role="clinic_admin", is_staff=True, is_superuser=True
    )
    client = client_for(admin_user)
    _admin_change(client, admin_user, role="supervisor")
    admin_user.refresh_from_db()
    assert admin_user.role == "clinic_admin"
    # Nor appear as a supervisor to choose for a therapist.
    response = client.get(reverse("admin:ipt_user_change", args=[owner.pk]))
    choices = response.context["adminform"].form.fields["supervisor"].queryset
    assert admin_user not in choices


def test_role_and_supervisor_changes_are_recorded_with_who_made_them(
    client_for, owner, supervisor, db
):
    from ipt.models import StaffChange

    admin_user = User.objects.create_user(
        "admin3", role="clinic_admin", is_staff=True, is_superuser=True
    )
    other = User.objects.create_user("sup2", role="supervisor", first_name="Other")
    response = _admin_change(client_for(admin_user), owner, supervisor=other.pk)
    assert response.status_code == 302, response.content.decode()[:2000]
    owner.refresh_from_db()
    assert owner.supervisor == other
    change = StaffChange.objects.get(user=owner, field="supervisor")
    assert (change.by, change.before, change.after) == (admin_user, str(supervisor), str(other))


def test_a_therapist_with_patients_cannot_become_a_supervisor(owner, patient):
    from django.core.exceptions import ValidationError

    from ipt.accounts.models import Role

    owner.role, owner.supervisor = Role.SUPERVISOR, None
    with pytest.raises(ValidationError, match="still treats 1 patient"):
        owner.full_clean()


def test_a_supervisor_with_supervisees_cannot_become_a_therapist(owner, supervisor):
    from django.core.exceptions import ValidationError

    from ipt.accounts.models import Role

    supervisor.role = Role.THERAPIST
    with pytest.raises(ValidationError, match="still supervises 1 therapist"):
        supervisor.full_clean()
