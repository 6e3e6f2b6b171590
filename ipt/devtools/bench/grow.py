"""Growing the benchmark clinic to the caseload review's largest size, by copying it in SQL.

Seeding writes every record of a course (about 60 rows each with their change history): 10,000
courses would take many minutes. What the caseload review reads of a course is its patient,
its therapist, its sessions (the next one) and its stored watch, so the full clinic is seeded
once and then copied, ``copies`` times over, in a handful of INSERT ... SELECT statements: new
therapists with the same caseloads, each copied patient with a copy of the course, its session
rows and its watch. A copy has no initial-phase records, measures or notes of its own, so its
watch is the original's, copied, not recomputed; only the caseload review is timed on copies.
"""

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from ipt.accounts.models import Role, User
from ipt.course.models import TreatmentCourse
from ipt.devtools.bench.bulk import bulk
from patients.models import Patient
from sessions_app import watch
from sessions_app.models import CourseWatch, Session


def grow(clinic, copies):
    """Add ``copies`` copies of the clinic's therapists and their courses; returns the number
    of courses copied."""
    if copies < 1:
        return 0
    originals = sorted(clinic.therapists, key=lambda t: t.pk)
    password = make_password(None)
    copied = 0
    # A copy's watch is written after its sessions: the triggers that mark a watch stale would
    # find nothing to mark, and are skipped (as while seeding).
    marks_stale = [
        f"{m._meta.app_label}.{m._meta.object_name}:marks_course_watch_stale"
        for m in (Patient, TreatmentCourse, Session)
        if m in watch.watched_models()
    ]
    with transaction.atomic(), pgtrigger.ignore(*marks_stale), connection.cursor() as cursor:
        for k in range(1, copies + 1):
            staff = bulk(
                User,
                (
                    User(
                        username=f"{t.username}-copy{k}",
                        first_name=t.first_name,
                        last_name=t.last_name,
                        role=Role.THERAPIST,
                        supervisor=t.supervisor,
                        password=password,
                        email=f"{t.username}-copy{k}@clinic.example",
                    )
                    for t in originals
                ),
                clinic.counts,
            )
            clinic.therapists += staff
            _map(cursor, "map_therapist", [t.pk for t in originals], [t.pk for t in staff])
            ids = ",".join(str(t.pk) for t in originals)
            _copy(cursor, Patient, f"therapist_id IN ({ids})",
                  {"therapist_id": "map_therapist"}, nulls={"submission"})  # fmt: skip
            _copy(cursor, TreatmentCourse, "patient_id IN (SELECT old FROM map_patients_patient)",
                  {"patient_id": "map_patients_patient"})  # fmt: skip
            courses = "course_id IN (SELECT old FROM map_ipt_treatmentcourse)"
            _copy(cursor, Session, courses,
                  {"course_id": "map_ipt_treatmentcourse", "finalised_by_id": "map_therapist"},
                  nulls={"phq9_id"})  # fmt: skip
            _copy(cursor, CourseWatch, courses, {"course_id": "map_ipt_treatmentcourse"})
            cursor.execute("SELECT count(*) FROM map_ipt_treatmentcourse")
            copied += cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    clinic.counts["courses copied"] += copied
    return copied


def _map(cursor, name, old, new):
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS"
        " SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS m(old, new)",
        [old, new],
    )
    cursor.execute(f"ANALYZE {name}")


def _copy(cursor, model, where, remap, nulls=()):
    """Copy ``model``'s rows matching ``where``: foreign keys in ``remap`` point at the copies
    (through that map table), columns in ``nulls`` are left empty, the rest is copied as is.
    The old -> new primary keys are kept in ``map_<table>`` for the next tables."""
    table, pk = model._meta.db_table, model._meta.pk.column
    nulls = {model._meta.get_field(name).column for name in nulls}
    joins, values = [], []
    if pk in remap:  # a one-to-one primary key (the watch): the copy takes the new course's
        key = f"j_{pk}.new"
    else:
        name = f"map_{table}"
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT {pk} AS old,"
            f" nextval(pg_get_serial_sequence('{table}', '{pk}')) AS new FROM {table}"
            f" WHERE {where}"
        )
        # Temporary tables are never analysed by autovacuum: without statistics each join to
        # the map would scan it once per copied row.
        cursor.execute(f"ANALYZE {name}")
        joins.append(f"JOIN {name} AS own ON own.old = src.{pk}")
        key = "own.new"
    columns = [f.column for f in model._meta.concrete_fields]
    for column in columns:
        if column == pk:
            values.append(key)
        elif column in nulls:
            values.append("NULL")
        else:
            values.append(f"src.{column}")
        if column in remap:
            joins.append(
                f"LEFT JOIN {remap[column]} AS j_{column} ON j_{column}.old = src.{column}"
            )
            values[-1] = f"j_{column}.new"
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"
        f" FROM {table} AS src {' '.join(joins)} WHERE {where}"
    )
