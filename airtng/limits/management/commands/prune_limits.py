from django.core.management.base import BaseCommand

from airtng.limits.services import prune


class Command(BaseCommand):
    help = "Forget rate-limit counters whose windows have all ended (run it daily)."

    def handle(self, *args, **options):
        self.stdout.write(f"{prune()} counters forgotten.")
