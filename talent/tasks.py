"""The nightly matching run (免申即享) as a Celery beat task."""

from celery import shared_task

from talent.matching import run_matching


@shared_task(name="talent.match_policies")
def match_policies() -> dict:
    """Safe to run twice: matches are unique and each is notified once."""
    summary = run_matching()
    return {"policies": summary.policies, "new_matches": summary.new_matches,
            "enterprises_notified": summary.enterprises_notified, "seconds": round(summary.seconds, 2)}
