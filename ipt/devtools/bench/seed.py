"""Seeding the benchmark clinic: the staff, the patients and their courses, then each stage
of the courses in turn (initial.py, sessions.py, ending.py), all inside one transaction."""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from ipt.accounts.models import Role, User
from ipt.course.models import EndReason, Phase, TreatmentCourse
from ipt.devtools.bench.bulk import bulk
from ipt.devtools.bench.ending import ending, supervision
from ipt.devtools.bench.initial import initial_phase
from ipt.devtools.bench.plans import make_plans
from ipt.devtools.bench.sessions import measures, weekly_sessions
from ipt.devtools.bench.vignettes import FIRST_NAMES, LAST_NAMES
from patients.models import Patient
from sessions_app import watch
from sessions_app.models import CourseWatch


@dataclass
class Clinic:
    supervisors: list
    therapists: list
    counts: Counter

    @property
    def summary(self):
        return ", ".join(f"{n:,} {name}" for name, n in self.counts.items())


def seed(
    *,
    supervisors=4,
    therapists=40,
    courses=2000,
    sessions=20000,
    random_seed=2026,
    today=None,
    log=None,
):
    """Write a clinic of this size; returns its staff and how many records of each kind."""
    rng = random.Random(random_seed)
    today = today or timezone.localdate()
    counts = Counter()
    said, began = log or (lambda message: None), time.perf_counter()

    def say(message):
        said(f"{message} ({time.perf_counter() - began:.0f} s)")

    # No course has a stored watch until the end (rebuild_all), so the triggers that mark one
    # stale would find nothing to mark: they are skipped while the records are written.
    marks_stale = [
        f"{model._meta.app_label}.{model._meta.object_name}:marks_course_watch_stale"
        for model in watch.watched_models()
    ]
    with transaction.atomic():
        with pgtrigger.ignore(*marks_stale):
            sups, staff = _staff(rng, supervisors, therapists, counts)
            plans = make_plans(rng, staff, courses, sessions, today)
            _courses(rng, plans, counts)
            say(f"  {len(plans):,} courses and their patients")
            people, areas = initial_phase(rng, plans, counts)
            say("  initial-phase records")
            by_session = measures(rng, plans, counts)
            say("  PHQ-9 measures and risk assessments")
            weekly_sessions(rng, plans, by_session, people, areas, today, counts)
            say(f"  {counts['sessions']:,} sessions and what was done in them")
            ending(rng, plans, today, counts)
            supervision(rng, plans, counts)
            say("  termination, maintenance and supervision records")
        # A bulk load writes past the model methods: store every course's watch, as the
        # migration and `manage.py rebuild_course_watch` do.
        counts["course watches"] = watch.rebuild_all(today)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CourseWatch._meta.db_table}")
        say("  the stored watch of every course")
    return Clinic(sups, staff, counts)


def _staff(rng, n_supervisors, n_therapists, counts):
    password = make_password(None)  # unusable: the benchmark logs in with force_login

    def user(username, role, supervisor=None):
        return User(
            username=username,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            role=role,
            supervisor=supervisor,
            password=password,
            email=f"{username}@clinic.example",
        )

    sups = bulk(
        User, (user(f"bench-sup{i + 1}", Role.SUPERVISOR) for i in range(n_supervisors)), counts
    )
    staff = bulk(
        User,
        (
            user(f"bench-t{j + 1}", Role.THERAPIST, sups[j * n_supervisors // n_therapists])
            for j in range(n_therapists)
        ),
        counts,
    )
    return sups, staff


def _patient(rng, therapist):
    return Patient(
        therapist=therapist,
        full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        preferred_name=rng.choice(["", "", rng.choice(FIRST_NAMES)]),
        date_of_birth=date(rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)),
        phone=f"07700 9{rng.randint(0, 99999):05d}",
        emergency_contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        emergency_contact_relationship=rng.choice(["partner", "mother", "brother"]),
        emergency_contact_phone=f"07700 9{rng.randint(0, 99999):05d}",
        referral_source=rng.choice(["GP", "Health visitor", "Self-referral", "A&E"]),
        referral_reason="Low mood, poor sleep and withdrawal from friends for months.",
    )


def _courses(rng, plans, counts):
    patients = bulk(Patient, (_patient(rng, p.therapist) for p in plans), counts)
    for p, patient in zip(plans, patients, strict=True):
        ended_early = p.phase == Phase.ENDED_EARLY
        p.course = TreatmentCourse(
            patient=patient,
            variant=p.variant,
            planned_sessions=p.planned,
            initial_phase_sessions=p.initial,
            start_date=p.start,
            phase=p.phase,
            ended_on=p.ended_on,
            end_reason=EndReason.DROP_OUT if ended_early else "",
            end_note="Stopped coming after a missed session." if ended_early else "",
        )
    bulk(TreatmentCourse, [p.course for p in plans], counts)
