"""The app's database role (``ipt_app``, set up by bin/pg) owns nothing and holds only DML: it
cannot disable a trigger, switch triggers off with session_replication_role, TRUNCATE, or
change an access event or a signed contract. The test connects to the suite's own (migrated)
test database as that role."""

import os
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from ipt.accounts.models import AccessEvent
from tests.factories import ContractFactory, CourseFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("APP_DATABASE_URL"), reason="needs bin/with-test-db"),
]


@pytest.fixture
def app_connection():
    """A connection as the app's role to the test database this test runs on."""
    parts = urlsplit(os.environ["APP_DATABASE_URL"])
    url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


def refusal(conn, sql, *params):
    try:
        conn.execute(sql, params)
    except psycopg.Error as error:
        return str(error)
    return None


def test_the_app_role_reads_and_writes_but_cannot_tamper(app_connection, owner, patient):
    event = AccessEvent.objects.create(
        user=owner, patient=patient, action="view", method="GET", path="/p/"
    )
    contract = ContractFactory(course=CourseFactory(patient=patient))
    type(contract).objects.filter(pk=contract.pk).update(
        patient_signed_name=patient.full_name,
        patient_signed_on=date(2026, 9, 21),
        therapist_signed_by=owner,
        therapist_signed_on=date(2026, 9, 21),
        signed_at=timezone.now(),
    )
    conn = app_connection
    assert conn.execute("SELECT current_user").fetchone() == ("ipt_app",)
    assert conn.execute(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone() == (False,)
    # Ordinary work: it reads and writes rows.
    assert conn.execute("SELECT count(*) FROM ipt_accessevent").fetchone() == (1,)
    assert refusal(conn, "UPDATE patients_patient SET full_name = full_name") is None
    # Tampering is refused.
    assert "must be owner" in refusal(conn, "ALTER TABLE ipt_accessevent DISABLE TRIGGER ALL")
    assert "must be owner" in refusal(
        conn, "ALTER TABLE ipt_treatmentcontract DISABLE TRIGGER USER"
    )
    assert "permission denied" in refusal(conn, "SET session_replication_role = replica")
    assert "permission denied" in refusal(conn, "TRUNCATE ipt_accessevent")
    assert "append-only" in refusal(conn, "UPDATE ipt_accessevent SET path = '/elsewhere/'")
    assert "append-only" in refusal(conn, "DELETE FROM ipt_accessevent")
    assert "signed treatment contract" in refusal(
        conn, "UPDATE ipt_treatmentcontract SET goals = 'Changed.' WHERE id = %s", contract.pk
    )
    assert "signed treatment contract" in refusal(
        conn, "DELETE FROM ipt_treatmentcontract WHERE id = %s", contract.pk
    )
    conn.execute("SET pgtrigger.ignore = '{pgtrigger_append_only_update_6f94f}'")
    assert "append-only" in refusal(conn, "UPDATE ipt_accessevent SET path = '/elsewhere/'")
    assert "permission denied" in refusal(conn, "CREATE TABLE ipt_scratch (id int)")
    assert "permission denied" in refusal(
        conn, "DROP TABLE ipt_accessevent"
    ) or "must be owner" in refusal(conn, "DROP TABLE ipt_accessevent")
    event.refresh_from_db()
    assert event.path == "/p/"


def test_the_app_role_cannot_rewrite_the_record_history(app_connection, owner, patient):
    conn = app_connection
    conn.execute("UPDATE patients_patient SET phone = '0123' WHERE id = %s", (patient.pk,))
    assert conn.execute(
        "SELECT count(*) FROM patients_patientevent WHERE pgh_obj_id = %s", (patient.pk,)
    ).fetchone() == (2,)  # added, then changed: the trigger wrote both
    assert "append-only" in refusal(conn, "UPDATE patients_patientevent SET phone = '999'")
    assert "append-only" in refusal(conn, "DELETE FROM patients_patientevent")
    assert "permission denied" in refusal(conn, "TRUNCATE patients_patientevent")
    assert "must be owner" in refusal(conn, "ALTER TABLE patients_patient DISABLE TRIGGER ALL")
