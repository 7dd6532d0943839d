"""`manage.py verify_audit`: walk the audit chain and name the first event that breaks it.

Beat runs the same check nightly (portal.verify_audit_chain) and alerts the superusers.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from portal.core.audit_chain import count_events, verify_chain


class Command(BaseCommand):
    help = "Recompute every audit event's SM3 link; exit 1 naming the first broken one."

    def handle(self, *args, **options) -> None:
        with tqdm(total=count_events(), unit="event", desc="Verifying", unit_scale=True,
                  disable=options["verbosity"] == 0, file=self.stderr) as bar:
            check = verify_chain(progress=bar.update)
        if not check.intact:
            raise CommandError(str(check), returncode=1)
        self.stdout.write(str(check))
