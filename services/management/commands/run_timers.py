"""`manage.py run_timers [name ...]`: run the workflow's timers now (all by default)."""

from django.core.management.base import BaseCommand, CommandError

from services.applications.timers import ALL_TIMERS


class Command(BaseCommand):
    help = "Run the workflow's timers once: " + ", ".join(ALL_TIMERS)

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="timers to run (default: all)")

    def handle(self, *args, names: list[str], **options) -> None:
        unknown = [name for name in names if name not in ALL_TIMERS]
        if unknown:
            raise CommandError(f"Unknown timer(s): {', '.join(unknown)}. Known: {', '.join(ALL_TIMERS)}")
        for name in names or ALL_TIMERS:
            done = ALL_TIMERS[name]()
            self.stdout.write(f"{name}: {done}")
