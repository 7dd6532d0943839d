"""`manage.py check_api_schema`: fail when the committed OpenAPI schema differs from the code's.

The committed file, portal/api/schema.yaml, is what integrators and the fuzz tests read; a
changed API without a regenerated file fails `make test` here, with the difference shown.
"""

import difflib
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

SCHEMA_FILE = Path(settings.BASE_DIR) / "portal" / "api" / "schema.yaml"
# The source strings are English: the file does not change when a translation does.
SCHEMA_LANGUAGE = "en"
MAX_DIFF_LINES = 80


def generate() -> str:
    """The schema of the code as it is, validated, with any warning an error."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "schema.yaml"
        call_command("spectacular", "--validate", "--fail-on-warn", "--lang", SCHEMA_LANGUAGE, "--file", str(target))
        return target.read_text(encoding="utf-8")


class Command(BaseCommand):
    help = "Check that portal/api/schema.yaml is the schema of the code (regenerate it with `make schema`)."

    def handle(self, *args, **options) -> None:
        current = generate()
        committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current == committed:
            self.stdout.write("The committed OpenAPI schema is up to date.")
            return
        diff = list(difflib.unified_diff(
            committed.splitlines(), current.splitlines(), "portal/api/schema.yaml (committed)", "the code's schema",
            lineterm="",
        ))
        shown = "\n".join(diff[:MAX_DIFF_LINES])
        more = f"\n… and {len(diff) - MAX_DIFF_LINES} more lines" if len(diff) > MAX_DIFF_LINES else ""
        raise CommandError(
            f"The API changed but portal/api/schema.yaml did not:\n{shown}{more}\n\n"
            "Run `make schema` and commit portal/api/schema.yaml. (It is generated with PostgreSQL "
            "settings, as `make test` runs: the integer ranges in it follow the database engine.)"
        )
