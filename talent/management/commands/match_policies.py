from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from talent.matching import open_policies, run_matching


class Command(BaseCommand):
    help = "Match every open talent policy against every talent and notify newly matched enterprises (免申即享)."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        with tqdm(total=len(open_policies(today)), unit="policy", desc="Matching",
                  disable=options["verbosity"] == 0, file=self.stderr) as bar:
            summary = run_matching(today, progress=lambda policy: bar.update(1))
        self.stdout.write(
            f"policies: {summary.policies}  candidates (talent): {summary.candidates}  "
            f"new matches: {summary.new_matches}  lapsed: {summary.lapsed}  revived: {summary.revived}  "
            f"enterprises notified: {summary.enterprises_notified}  time: {summary.seconds:.2f} s"
        )
        for code, new in summary.per_policy.items():
            self.stdout.write(f"  {code}: {new} new")
