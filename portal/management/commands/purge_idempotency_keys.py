"""`manage.py purge_idempotency_keys`: forget the API's expired Idempotency-Keys now.

Beat does it hourly (portal.purge_idempotency_keys); this is for a cron-only deployment.
"""

from django.core.management.base import BaseCommand

from portal.core.api.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete the Idempotency-Keys older than IDEMPOTENCY_KEY_TTL (24 h)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Purged {purge_expired()} expired idempotency key(s).")
