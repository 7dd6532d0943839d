"""`manage.py seed_scale` at a small size: the sizes asked, every application consistent with the
workflow, the same data whether seeded at once or resumed, and the estimated-count paginator."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from enterprises.models import Enterprise
from portal.core.paginators import EstimatedCountPaginator
from portal.seeding import applications, consistency
from services.models import Application, Commitment, DeferredMaterial, Document, PostCheck, State, Task
from talent.models import Talent

pytestmark = pytest.mark.django_db


def seed(count: int) -> None:
    call_command("seed_scale", enterprises=1000, talents=1500, applications=count, chunk=2000,
                 no_progress=True, allow_debug_off=True, verbosity=0, stdout=open("/dev/null", "w"))


def test_a_small_district_is_seeded_consistently_and_resumes_where_it_stopped():
    seed(2_000)
    assert Application.objects.count() == 2_000
    seed(5_000)  # goes on from application 2,001
    assert (Enterprise.objects.count(), Talent.objects.count(), Application.objects.count()) == (1000, 1500, 5000)
    assert consistency.problems() == {}
    assert consistency.unreachable_states() == set()
    states = set(Application.objects.values_list("state", flat=True))
    assert {State.DRAFT, State.SUBMITTED, State.IN_REVIEW, State.APPROVED, State.COMPLETED, State.REJECTED} <= states
    modes = set(Application.objects.values_list("service__approval_mode", flat=True))
    assert modes == {"standard", "deferred", "parallel", "commitment"}
    assert Task.objects.exists() and Document.objects.exists() and DeferredMaterial.objects.exists()
    assert Commitment.objects.exists() and PostCheck.objects.exists()
    # Two years of dates, and references as the portal writes them.
    oldest = Application.objects.order_by("created_at").first()
    assert timezone.now() - oldest.created_at > datetime.timedelta(days=365)
    assert Application.objects.get(pk=1).reference.startswith("FT-")
    seed(5_000)  # nothing left to do
    assert Application.objects.count() == 5_000


def test_a_chunk_draws_the_same_rows_every_time():
    call_command("seed_scale", enterprises=50, talents=10, applications=0, no_progress=True, allow_debug_off=True,
                 verbosity=0, stdout=open("/dev/null", "w"))
    items, staff, filers = applications.catalogue(), applications.officials("scale"), applications.applicants()
    now = timezone.now()

    def draw():
        return applications.Chunk(100, 400, items=items, filers=filers, staff=staff, seed=3, now=now).tables()

    assert draw() == draw()


def test_the_seed_refuses_a_production_database_unless_told(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_scale", applications=10, verbosity=0)


def test_the_paginator_counts_a_small_list_exactly_and_estimates_a_large_one(monkeypatch):
    seed(300)
    rows = Application.objects.order_by("pk")
    assert EstimatedCountPaginator(rows, 20).count == 300
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 100)
    estimated = EstimatedCountPaginator(rows.filter(state__in=list(State)), 20).count
    assert estimated >= 101  # counted up to the bound, then the planner's estimate
