"""Create the demo clinic: staff, supervision and a caseload of realistic vignettes.

Idempotent: running it again creates only what is missing and never overwrites what a
user has changed. Refuses to run unless DEBUG is on, so it can never touch a live clinic.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ipt.devtools import demo


class Command(BaseCommand):
    help = "Create the demo clinic (only with DEBUG on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG on: it must never touch a live clinic."
            )
        with transaction.atomic():
            created = demo.seed()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo clinic: created {', '.join(created)}."))
        else:
            self.stdout.write("Demo clinic already in place.")
