"""`manage.py apply_retention [--dry-run]`: erase the personal data past their retention period.

`--dry-run` reports what would be erased and changes nothing; beat runs the real thing nightly.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from portal.retention import apply_retention, plan_retention


class Command(BaseCommand):
    help = "Erase the personal data past RETENTION_YEARS / NOTIFICATION_RETENTION_DAYS / SMS_RETENTION_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report what would be erased; change nothing.")

    def handle(self, *args, **options) -> None:
        plan = plan_retention()
        self.stdout.write(f"Would erase: {plan}" if options["dry_run"] else f"Erasing: {plan}")
        if options["dry_run"] or not plan.total:
            return
        with tqdm(total=plan.total, unit="record", desc="Erasing", disable=options["verbosity"] == 0,
                  file=self.stderr) as bar:
            done = apply_retention(progress=bar.update)
        self.stdout.write(f"Erased: {done.done['applications']} application(s), {done.done['talent']} talent, "
                          f"{done.done['messages']} message(s).")
