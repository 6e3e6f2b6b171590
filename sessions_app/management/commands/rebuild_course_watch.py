"""Recompute every course's stored watch from its record (after a bulk load or a rule change)."""

from django.core.management.base import BaseCommand

from sessions_app import watch


class Command(BaseCommand):
    help = "Recompute the stored watch (flags, position, PHQ-9s) of every course from its record."

    def handle(self, *args, **options):
        count = watch.rebuild_all()
        self.stdout.write(f"Rebuilt the watch of {count} course{'s' if count != 1 else ''}.")
