"""`manage.py seed_scale`: the district at full size (200,000 enterprises, 300,000 talent, 1,000,000
applications by default) in a PostgreSQL database, by COPY, resumable.

Phases, each skipped when already done: the catalogue and its officials, the enterprises with
their users and talent (one transaction), the applications in chunks (each chunk with its tasks,
materials, deferrals, commitments, corrections and post-checks in one transaction: a run stopped
half-way goes on from the last chunk written). Then fresh statistics (ANALYZE) and the rows per
second. The data live in portal/seeding/.
"""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from enterprises.models import Enterprise
from portal.seeding import consistency, district, loading
from portal.seeding.copying import TOTAL
from services.models import Application


class Command(BaseCommand):
    help = "Seed enterprises, talent and applications at district scale with COPY (PostgreSQL; resumable)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument("--talents", type=int, default=300_000)
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--chunk", type=int, default=50_000, help="Applications per transaction.")
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes drawing the next chunks while one copies (1 suits two cores).")
        parser.add_argument("--seed", type=int, default=17, help="Seed of the random draws (same seed, same data).")
        parser.add_argument("--prefix", default="scale", help="Usernames of the seeded users: <prefix>-000123.")
        parser.add_argument("--check", action="store_true", help="Check the applications' consistency afterwards.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars (logs, tests).")
        parser.add_argument("--allow-debug-off", action="store_true",
                            help="Seed even with DEBUG off (hundreds of thousands of made-up rows).")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with PostgreSQL's COPY: point DATABASE_URL at PostgreSQL.")
        if not settings.DEBUG and not options["allow_debug_off"]:
            raise CommandError("DEBUG is off: seed_scale would write hundreds of thousands of made-up rows into what "
                               "looks like a production database. Pass --allow-debug-off if that is meant.")
        started, progress = time.perf_counter(), not options["no_progress"]
        TOTAL.rows, TOTAL.seconds = 0, 0.0
        have = Enterprise.objects.count()
        if have == 0 and options["enterprises"]:
            self.stdout.write(f"Enterprises and talent: {options['enterprises']:,} and {options['talents']:,}")
            district.seed(options["enterprises"], options["talents"], random.Random(options["seed"]),
                          prefix=options["prefix"], password=None, progress=progress)
        elif have != options["enterprises"]:
            self.stdout.write(self.style.WARNING(f"{have:,} enterprises already there (asked {options['enterprises']:,}): "
                                                 "kept as they are."))

        total, already = options["applications"], Application.objects.count()
        self.stdout.write(f"Applications: {total:,} (chunks of {options['chunk']:,}; {already:,} already there)")
        bar = tqdm(total=total, initial=min(already, total), unit="application", disable=not progress,
                   file=self.stdout, mininterval=1)

        def done(count: int) -> None:
            bar.update(count - bar.n)
            bar.set_postfix_str(f"{TOTAL.rows / (time.perf_counter() - started):,.0f} rows/s")

        try:
            loading.seed_applications(total, prefix=options["prefix"], seed=options["seed"],
                                           chunk=options["chunk"], workers=options["workers"], on_chunk=done)
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {TOTAL.rows:,} rows in {elapsed:.1f} s: {TOTAL.rows / elapsed if elapsed else 0:,.0f} rows/s "
            f"overall, {TOTAL.per_second:,.0f} rows/s while copying."))
        if options["check"]:
            found = consistency.problems()
            unreachable = consistency.unreachable_states()
            if found or unreachable:
                raise CommandError(f"Inconsistent applications: {found}; states no transition reaches: {unreachable}")
            self.stdout.write("Every application's state is consistent with the workflow.")
