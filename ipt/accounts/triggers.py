"""Database triggers that keep the record append-only (django-pgtrigger).

The database, not the app, refuses to change what must not change: audit rows, phase
transitions, a signed contract, a finalised session and its addenda. Two rules make the
refusal hold against the app's own database role:

- pgtrigger's escape hatch (``pgtrigger.ignore``, a setting any role may ``SET``) is honoured
  only for a member of the table's owner role, the role that runs migrations; the app connects
  as an ordinary role (see the README, "Database roles") and cannot use it.
- ``TRUNCATE`` (which skips row triggers) is refused to everyone but the owner, so the owner can
  still empty the tables of a test database between tests.
"""

import pgtrigger
from pgtrigger import compiler

# True when the current role is (a member of) the role that owns the trigger's table.
IS_OWNER = (
    "pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')"
)


class OwnerOnlyIgnoreSql(compiler.UpsertTriggerSql):
    """pgtrigger's trigger SQL, with ``pgtrigger.ignore`` honoured for the table's owner only."""

    def get_template(self):
        template = super().get_template()
        guard = "IF ({ignore_func_name}(TG_NAME) IS TRUE) THEN"
        assert guard in template, "pgtrigger's template changed: review OwnerOnlyIgnoreSql"
        return template.replace(
            guard, f"IF ({{ignore_func_name}}(TG_NAME) IS TRUE AND {IS_OWNER}) THEN"
        )


class _Guarded(pgtrigger.Trigger):
    def compile(self, model):
        compiled = super().compile(model)
        return compiler.Trigger(name=compiled.name, sql=OwnerOnlyIgnoreSql(**compiled.sql.kwargs))


def _raise(message):
    message = message.replace("'", "''")
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';"


class Refuse(_Guarded):
    """Refuse a row change (``operation``, optionally under ``condition``) with ``message``."""

    when = pgtrigger.Before
    level = pgtrigger.Row

    def __init__(self, *, message, **kwargs):
        self.message = message
        super().__init__(**kwargs)

    def get_func(self, model):
        return _raise(self.message)


class RefuseTruncate(_Guarded):
    """Refuse ``TRUNCATE`` of the table to every role but its owner."""

    when = pgtrigger.Before
    level = pgtrigger.Statement
    operation = pgtrigger.Truncate

    def __init__(self, *, message, **kwargs):
        self.message = message
        super().__init__(**kwargs)

    def get_func(self, model):
        return f"IF {IS_OWNER} THEN RETURN NULL; END IF; {_raise(self.message)}"


def append_only(label):
    """The triggers of an append-only table: no UPDATE, no DELETE, no TRUNCATE."""
    message = f"{label} are append-only: they cannot be changed or deleted."
    return [
        Refuse(name="append_only_update", operation=pgtrigger.Update, message=message),
        Refuse(name="append_only_delete", operation=pgtrigger.Delete, message=message),
        RefuseTruncate(name="append_only_truncate", message=message),
    ]


class RefuseInFinalised(_Guarded):
    """Refuse adding, changing or removing a row that belongs to a finalised session.

    ``on_insert`` / ``on_update`` (the new row) and ``was_update`` / ``was_delete`` (the old
    row) are SQL expressions giving the id of the session the row belongs to at that moment
    (NULL: none to check). One change stays open: a link to an inventory person becoming empty
    (the person was removed from the inventory; the row's own text is untouched), on tables
    with such a link (``person_column``; None for a table without one).
    """

    when = pgtrigger.Before
    level = pgtrigger.Row
    operation = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete

    def __init__(
        self, *, sessions, on_insert, on_update, was_update, was_delete, person_column="person_id",
        **kwargs,
    ):  # fmt: skip
        self.sessions, self.person_column = sessions, person_column
        self.on_insert, self.on_update = on_insert, on_update
        self.was_update, self.was_delete = was_update, was_delete
        super().__init__(**kwargs)

    def _finalised(self, session_id):
        return (
            f"EXISTS (SELECT 1 FROM {self.sessions} s"
            f" WHERE s.id = {session_id} AND s.finalised_at IS NOT NULL)"
        )

    def get_func(self, model):
        refuse = _raise("This session is finalised: add a dated addendum instead.")
        person = self.person_column
        unlinked = (
            f"""IF NEW.{person} IS NULL AND OLD.{person} IS NOT NULL
               AND (to_jsonb(OLD) - '{person}') = (to_jsonb(NEW) - '{person}') THEN
                RETURN NEW;
            END IF;"""
            if person
            else ""
        )
        return f"""
            IF TG_OP = 'INSERT' THEN
                IF {self._finalised(self.on_insert)} THEN {refuse} END IF;
                RETURN NEW;
            END IF;
            IF TG_OP = 'DELETE' THEN
                IF {self._finalised(self.was_delete)} THEN {refuse} END IF;
                RETURN OLD;
            END IF;
            {unlinked}
            IF {self._finalised(self.was_update)} OR {self._finalised(self.on_update)} THEN
                {refuse}
            END IF;
            RETURN NEW;
        """


def kept_with_session(column="session_id", sessions="sessions_app_session", **kwargs):
    """The trigger of a table whose rows belong to a session through ``column``."""
    return RefuseInFinalised(
        **kwargs,
        name="kept_with_finalised_session",
        sessions=sessions,
        on_insert=f"NEW.{column}",
        on_update=f"NEW.{column}",
        was_update=f"OLD.{column}",
        was_delete=f"OLD.{column}",
    )


def key_of(model, path, row):
    """SQL for the id reached from ``row`` ("NEW" or "OLD") of ``model`` along ``path``, a
    chain of foreign keys ("problem_area__course"); "" is the row's own primary key."""
    if not path:
        return f"{row}.{model._meta.pk.column}"
    first, *rest = path.split("__")
    field = model._meta.get_field(first)
    sql, related = f"{row}.{field.column}", field.related_model
    for name in rest:
        field = related._meta.get_field(name)
        sql = (
            f"(SELECT {field.column} FROM {related._meta.db_table}"
            f" WHERE {related._meta.pk.column} = {sql})"
        )
        related = field.related_model
    return sql


class MarksStale(_Guarded):
    """After a row changes, mark the summary row it feeds stale, in the same transaction.

    ``table``/``key``: the summary table and its key column; ``path``: the foreign keys from
    the changed row to that key (see ``key_of``). Only an existing summary row is marked: a
    missing one is stale by definition.
    """

    when = pgtrigger.After
    level = pgtrigger.Row
    operation = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete

    def __init__(self, *, table, key, path, **kwargs):
        self.table, self.key, self.path = table, key, path
        super().__init__(**kwargs)

    def _mark(self, model, row):
        return (
            f"UPDATE {self.table} SET stale = true"
            f" WHERE {self.key} = {key_of(model, self.path, row)} AND NOT stale;"
        )

    def get_func(self, model):
        return f"""
            IF TG_OP <> 'DELETE' THEN {self._mark(model, "NEW")} END IF;
            IF TG_OP <> 'INSERT' THEN {self._mark(model, "OLD")} END IF;
            RETURN NULL;
        """
