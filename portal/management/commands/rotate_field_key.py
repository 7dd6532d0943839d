"""`manage.py rotate_field_key`: seal again under the current key every value stored under an older one.

Put the new key first in FIELD_ENCRYPTION_KEY (`k2:<new>,k1:<old>`), restart, run this, then drop
the old key. It works in chunks, each in its own transaction with its rows locked, so it may run
while the portal serves; run again, it finds nothing left to do.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from portal.core import field_crypto
from portal.core.encrypted_fields import encrypted_columns, reencrypt, stale_rows


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value that is not under the current FIELD_ENCRYPTION_KEY key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chunk", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, **options) -> None:
        columns = list(encrypted_columns())
        total = sum(stale_rows(model, field).count() for model, field in columns)
        done = 0
        with tqdm(total=total, unit="value", desc="Re-encrypting", disable=options["verbosity"] == 0,
                  file=self.stderr) as bar:
            for model, field in columns:
                done += reencrypt(model, field, chunk=max(options["chunk"], 1), progress=bar.update)
        self.stdout.write(f"{done} value(s) re-encrypted under the key {field_crypto.current_key_id()!r}; "
                          "every encrypted value is under it now.")
