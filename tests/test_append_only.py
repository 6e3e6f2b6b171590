"""The database keeps the record append-only: audit rows, phase transitions, a signed contract,
a finalised session and its addenda refuse UPDATE, DELETE and TRUNCATE, whoever asks, through
the ORM or in raw SQL. pgtrigger's ``pgtrigger.ignore`` and TRUNCATE are left to the tables'
owner (migrations, and the test suite's flush between transactional tests)."""

from datetime import date, timedelta

import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ipt.accounts.models import AccessEvent, AuthEvent, StaffChange
from ipt.initial.models import InventoryPerson
from ipt.models import Phase, PhaseTransition
from sessions_app.models import (
    Addendum,
    CommunicationAnalysis,
    Homework,
    InterpersonalEvent,
    Session,
)
from tests.factories import (
    CommunicationAnalysisFactory,
    ContractFactory,
    CourseFactory,
    HomeworkFactory,
    InterpersonalEventFactory,
    InventoryPersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def refused(sql_or_callable, *params, **kwargs):
    """True when the database refuses the statement (the savepoint is rolled back)."""
    try:
        with transaction.atomic():
            if callable(sql_or_callable):
                sql_or_callable(*params, **kwargs)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql_or_callable, params)
    except DatabaseError:
        return True
    return False


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient)


@pytest.fixture
def audit_rows(owner, patient, course):
    AccessEvent.objects.create(user=owner, patient=patient, action="view", method="GET", path="/p/")
    AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN, user=owner, username=owner.username)
    StaffChange.objects.create(by=owner, user=owner, field="role", before="a", after="b")
    PhaseTransition.objects.create(
        course=course, from_phase=Phase.INITIAL, to_phase=Phase.MIDDLE, by=owner
    )
    return [AccessEvent, AuthEvent, StaffChange, PhaseTransition]


def test_audit_rows_and_transitions_refuse_update_delete_and_truncate_by_the_app(audit_rows):
    for model in audit_rows:
        table = model._meta.db_table
        row = model.objects.get()
        assert refused(model.objects.filter(pk=row.pk).update, at=timezone.now()), table
        assert refused(model.objects.filter(pk=row.pk).delete), table
        assert refused(f"UPDATE {table} SET at = now()"), table
        assert refused(f"DELETE FROM {table}"), table
        assert model.objects.get().at == row.at


def test_a_signed_contract_refuses_change_and_a_draft_does_not(course, owner):
    draft = ContractFactory(course=course)
    assert not refused(lambda: type(draft).objects.filter(pk=draft.pk).update(goals="Edited."))
    type(draft).objects.filter(pk=draft.pk).update(
        patient_signed_name=course.patient.full_name,
        patient_signed_on=date.today() - timedelta(days=1),
        therapist_signed_by=owner,
        therapist_signed_on=date.today(),
        signed_at=timezone.now(),
    )
    draft.refresh_from_db()
    assert refused(lambda: type(draft).objects.filter(pk=draft.pk).update(goals="Changed."))
    assert refused("UPDATE ipt_treatmentcontract SET signed_at = NULL WHERE id = %s", draft.pk)
    assert refused(lambda: type(draft).objects.filter(pk=draft.pk).delete())
    draft.refresh_from_db()
    assert draft.goals == "Edited." and draft.is_signed


def test_the_hand_written_contract_trigger_gave_way_to_pgtrigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ipt_treatmentcontract'::regclass"
            " AND NOT tgisinternal"
        )
        names = [name for (name,) in cursor.fetchall()]
    assert all(name.startswith("pgtrigger_") for name in names)  # the history's triggers too
    assert sum(name.startswith("pgtrigger_signed_contract_immutable") for name in names) == 1


def test_a_finalised_session_keeps_its_clinical_fields_and_its_addenda(course, owner):
    session = SessionFactory(course=course, notes="As written.")
    draft = SessionFactory(course=course, notes="Still open.")
    Session.objects.filter(pk=session.pk).update(finalised_at=timezone.now(), finalised_by=owner)
    rows = Session.objects.filter(pk=session.pk)

    assert refused(lambda: rows.update(notes="Rewritten."))
    assert refused(lambda: rows.update(mood_rating=3))
    assert refused(lambda: rows.update(finalised_at=None))
    assert refused(lambda: rows.delete())
    # What the app still moves on a finalised session: its "last touched" time, nothing else.
    assert not refused(lambda: rows.update(updated_at=timezone.now()))
    # An open session is edited freely.
    assert not refused(lambda: Session.objects.filter(pk=draft.pk).update(notes="Edited."))
    assert rows.get().notes == "As written."

    addendum = Addendum.objects.create(session=session, text="A later correction.", by=owner)
    assert refused(lambda: Addendum.objects.filter(pk=addendum.pk).update(text="Changed."))
    assert refused(lambda: Addendum.objects.filter(pk=addendum.pk).delete())


@pytest.fixture
def not_owner_role():
    """Run the rest of the test's transaction as a role that is not the tables' owner but holds
    every table privilege, TRUNCATE included (what a mis-granted app role could have)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE ipt_not_owner NOLOGIN")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public"
            " TO ipt_not_owner"
        )
        cursor.execute("SET LOCAL ROLE ipt_not_owner")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def truncate(table):
    """TRUNCATE one table; None when done, else the database's refusal."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # The rows' deferred foreign-key checks would block any TRUNCATE: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    except DatabaseError as error:
        return str(error)
    return None


def _finalise(session, by):
    Session.objects.filter(pk=session.pk).update(finalised_at=timezone.now(), finalised_by=by)


def test_the_rows_of_a_finalised_session_cannot_be_added_changed_or_removed(course, owner):
    session = SessionFactory(course=course, number=1)
    person = InventoryPersonFactory(course=course)
    event = InterpersonalEventFactory(session=session, person=person)
    analysis = CommunicationAnalysisFactory(session=session, person=person)
    homework = HomeworkFactory(set_in=session, person=person)
    _finalise(session, owner)
    for model, row, change in (
        (InterpersonalEvent, event, {"focal": False}),
        (CommunicationAnalysis, analysis, {"scene": "Changed."}),
    ):
        rows = model.objects.filter(pk=row.pk)
        assert refused(rows.update, **change)
        assert refused(rows.delete)
        assert refused(model.objects.create, session=session)
    assert refused(Homework.objects.filter(pk=homework.pk).update, action="Changed.")
    assert refused(Homework.objects.filter(pk=homework.pk).delete)
    assert refused(Homework.objects.create, set_in=session, action="Late homework.")
    # Removing a person from the inventory empties the link and leaves every word in place.
    InventoryPerson.objects.filter(pk=person.pk).delete()
    event.refresh_from_db()
    assert (
        event.person_id is None and event.what_happened == InterpersonalEventFactory.what_happened
    )


def test_homework_from_a_finalised_session_is_reviewed_in_the_next_and_then_kept(course, owner):
    first, second = SessionFactory(course=course, number=1), SessionFactory(course=course, number=2)
    homework = HomeworkFactory(set_in=first)
    _finalise(first, owner)
    assert homework.review(Session.HomeworkOutcome.values[0], in_session=second)
    Homework.objects.filter(pk=homework.pk).update(review_notes="Went for the walk.")
    _finalise(second, owner)
    assert refused(Homework.objects.filter(pk=homework.pk).update, review_notes="Changed.")
    assert refused(Homework.objects.filter(pk=homework.pk).update, reviewed_in=None)
    homework.refresh_from_db()
    assert homework.review_notes == "Went for the walk."


def test_the_owner_may_truncate_as_the_suite_does_between_transactional_tests(audit_rows):
    for model in audit_rows:
        assert truncate(model._meta.db_table) is None
        assert not model.objects.exists()


def test_truncate_and_pgtrigger_ignore_are_refused_to_a_role_that_does_not_own_the_tables(
    audit_rows, not_owner_role
):
    for model in audit_rows:
        table = model._meta.db_table
        assert "append-only" in truncate(table), table
        with pgtrigger.ignore(f"{model._meta.app_label}.{model.__name__}:append_only_delete"):
            assert refused(model.objects.all().delete), table
        assert model.objects.count() == 1


def test_the_owner_may_use_pgtrigger_ignore(audit_rows):
    with pgtrigger.ignore("ipt.AccessEvent:append_only_delete"):
        assert not refused(lambda: AccessEvent.objects.all().delete())
    assert not AccessEvent.objects.exists()
