"""Shared fixtures: the owner / colleague / stranger trio around one patient.

- ``owner``: the treating therapist.
- ``supervisor``: the owner's supervisor (reads, never writes).
- ``colleague``: another therapist under the same supervisor (no access).
- ``stranger``: a therapist in another supervision group (no access).
"""

import pytest

from tests.factories import PatientFactory, SupervisorFactory, TherapistFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that do not check hashing need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def login_renewed_on_every_request(settings):
    """Every request writes the login row, as each page's query count assumes; the once-a-minute
    renewal is tested on its own (tests/test_sessions_lifetime.py)."""
    settings.SESSION_RENEW_SECONDS = 0


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Tasks run inside the request that enqueues them, so the suite needs no worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(username="sup")


@pytest.fixture
def owner(supervisor):
    return TherapistFactory(username="owner", supervisor=supervisor)


@pytest.fixture
def colleague(supervisor):
    return TherapistFactory(username="colleague", supervisor=supervisor)


@pytest.fixture
def stranger(db):
    return TherapistFactory(username="stranger")


@pytest.fixture
def patient(owner):
    return PatientFactory(therapist=owner, full_name="Pat Owner-Case")


@pytest.fixture
def client_for(client):
    """Log the test client in as a given user: ``client_for(owner)``."""

    def login(user):
        client.force_login(user)
        return client

    return login
