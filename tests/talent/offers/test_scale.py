"""The run's queries do not grow with the rows, with enterprise policies and offers in it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talent.matching import run_matching
from talent.offers.models import Offer
from tests.talent.offers.conftest import uscc

pytestmark = pytest.mark.django_db


def test_matching_and_offering_cost_the_same_queries_for_few_and_many_rows(
    make_user, make_enterprise, make_talent, make_policy, make_enterprise_policy
):
    make_policy("P1", rules={"tiers": ["C"]}, no_application=True)
    make_enterprise_policy("QY-01", rules={"in_good_standing": True, "sizes": ["small"]})

    def queries_with(count: int, first: int) -> int:
        for index in range(first, first + count):
            enterprise = make_enterprise(make_user(f"owner{index}"), uscc=uscc(index), size="small")
            make_talent(enterprise, f"人才{index}", tier="C")
        with CaptureQueriesContext(connection) as run:
            run_matching()
        return len(run.captured_queries)

    assert queries_with(2, 10) == queries_with(25, 100)
    assert Offer.objects.count() == 2 * 27
