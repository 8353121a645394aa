from django.core.management.base import BaseCommand

from reservations.services import sweep_requests


class Command(BaseCommand):
    help = (
        "Remind hosts at half their reply window, expire unanswered requests, and offer "
        "every host with requests waiting. Every worker also runs this in its sweep."
    )

    def handle(self, *args, **options):
        done = sweep_requests()
        self.stdout.write(", ".join(f"{count} {what}" for what, count in done.items()))
