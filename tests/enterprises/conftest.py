"""A service manager's portfolio: the world's enterprise is looked after by `manager`, a second
enterprise (with its own clerk) by `other_manager`."""

import pytest

from tests.conftest import VALID_USCCS


@pytest.fixture
def portfolio(world, make_user, make_official, make_enterprise):
    manager = make_official("guanjia1", world["departments"]["ZJW"])
    other_manager = make_official("guanjia2", world["departments"]["SCJGJ"])
    enterprise = world["enterprise"]
    enterprise.service_manager = manager
    enterprise.save(update_fields=["service_manager"])
    stranger = make_user("stranger_clerk")
    other = make_enterprise(stranger, uscc=VALID_USCCS[2], name="乙方另一家企业有限公司", service_manager=other_manager)
    return {**world, "manager": manager, "other_manager": other_manager, "other": other, "stranger": stranger}
