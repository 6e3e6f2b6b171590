"""Benchmark the main pages at clinic scale, on a database of the benchmark's own.

`make bench` runs it on a throwaway PostgreSQL cluster. Even run by hand it never touches the
configured database: it creates ``<name>_bench`` beside it, seeds a clinic there
(ipt/devtools/bench/seed.py), times the pages (ipt/devtools/bench/timing.py), and drops it
again.
"""

import math
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from ipt.devtools import bench
from ipt.devtools.bench.grow import grow
from ipt.devtools.bench.load import load_table, run_load
from ipt.devtools.bench.timing import group, machine, pick_targets, run, table


def _numbers(text):
    return tuple(int(n) for n in text.split(",") if n.strip())


class Command(BaseCommand):
    help = "Seed a clinic-sized database of its own and time the main pages (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
        parser.add_argument(
            "--budget",
            type=float,
            default=30,
            help="seconds of timed requests per page before stopping short of --requests",
        )
        parser.add_argument("--supervisors", type=int, default=4)
        parser.add_argument("--therapists", type=int, default=40)
        parser.add_argument("--courses", type=int, default=2000)
        parser.add_argument("--sessions", type=int, default=20000)
        parser.add_argument(
            "--sizes",
            type=_numbers,
            default=(100, 500, 2000, 10000),
            help="caseload review sizes (courses of one supervisor), comma-separated; past "
            "--courses the clinic is copied (bench/grow.py)",
        )
        parser.add_argument(
            "--load-seconds", type=float, default=20, help="seconds of HTTP load per page"
        )
        parser.add_argument(
            "--load-connections",
            type=_numbers,
            default=(8, 32),
            help="concurrent connections of the HTTP load phase, comma-separated",
        )
        parser.add_argument(
            "--load-size",
            type=int,
            default=2000,
            help="courses of the supervisor whose caseload review is loaded over HTTP",
        )
        parser.add_argument("--no-load", action="store_true", help="skip the HTTP load phase")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("bench only runs with DEBUG on: it must never touch a live clinic.")
        began = time.perf_counter()
        original = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"{original}_bench"
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        self.stdout.write(f"Benchmark database {name} created and migrated.")
        try:
            seeded, clinic = self._seed(options)
            self.stdout.write("Measuring…")
            results = run(
                clinic,
                requests=options["requests"],
                budget=options["budget"],
                sizes=options["sizes"],
                log=self.stdout.write,
            )
            loaded, review = [], ""
            if not options["no_load"]:
                therapists, courses = group(clinic, options["load_size"])
                review = f"{therapists} therapists, {courses:,} courses"
                self.stdout.write(f"HTTP load, caseload review of {review}…")
                loaded = run_load(
                    pick_targets(clinic.supervisors[0]),
                    name,
                    seconds=options["load_seconds"],
                    connections=options["load_connections"],
                    log=self.stdout.write,
                )
            about = machine()
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
        self.stdout.write("")
        self.stdout.write(
            f"{timezone.localdate():%Y-%m-%d}; {about}; seeding {seeded:.0f} s, "
            f"whole run {time.perf_counter() - began:.0f} s."
        )
        self.stdout.write("")
        self.stdout.write(table(results))
        if loaded:
            self.stdout.write("")
            self.stdout.write(load_table(loaded, review))

    def _seed(self, options):
        """Seed the clinic and ANALYZE it; returns (seconds it took, the clinic)."""
        self.stdout.write(
            f"Seeding {options['therapists']} therapists, {options['courses']:,} courses, "
            f"{options['sessions']:,} sessions…"
        )
        start = time.perf_counter()
        clinic = bench.seed(
            supervisors=options["supervisors"],
            therapists=options["therapists"],
            courses=options["courses"],
            sessions=options["sessions"],
            log=self.stdout.write,
        )
        copies = math.ceil(max(options["sizes"], default=0) / options["courses"]) - 1
        if copies > 0:
            copied = grow(clinic, copies)
            self.stdout.write(f"  {copied:,} courses copied for the larger caseload reviews")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by now on a live database
        seeded = time.perf_counter() - start
        self.stdout.write(f"Seeded in {seeded:.0f} s: {clinic.summary}.")
        return seeded, clinic
