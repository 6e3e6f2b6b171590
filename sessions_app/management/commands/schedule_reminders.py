"""Start the reminder emails' schedule: queue a run now unless one is already waiting (the
worker then keeps it going). `make run` runs it before starting the worker."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from sessions_app import reminders


class Command(BaseCommand):
    help = "Queue the session reminders' task unless a run is already waiting."

    def handle(self, *args, **options):
        if reminders.schedule_next(delay=timedelta(0)):
            self.stdout.write("Session reminders: the first run is queued.")
        else:
            self.stdout.write("Session reminders: a run is already waiting.")
