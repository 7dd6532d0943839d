"""A service manager's portfolio: their enterprises and, for each, the workbench's sections.

Who sees which enterprise is `portal.core.access.of_manager`; what each section holds comes
from the apps that registered it (`extensions`), each in a constant number of queries.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from enterprises.managers.extensions import Item, Section, sections
from enterprises.models import Enterprise
from portal.core import access

logger = logging.getLogger(__name__)


@dataclass
class SectionView:
    code: str
    label: Any
    items: list[Item]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def warnings(self) -> int:
        return sum(1 for item in self.items if item.level == "warning")


def portfolio_of(user: Any) -> QuerySet[Enterprise]:
    """The enterprises the user looks after (every one for a superuser), by name."""
    return access.managed_enterprises(user).select_related("service_manager").order_by("name", "id")


def _collect(section: Section, enterprise_ids: list[int]) -> dict[int, list[Item]]:
    try:
        return section.collect(enterprise_ids)
    except Exception:  # one app's section failing leaves the rest of the workbench readable
        logger.exception("workbench section %s failed", section.code)
        return {}


def workbench_of(enterprise_ids: list[int]) -> dict[int, list[SectionView]]:
    """Each enterprise's sections, in the registry's order (a section with nothing is still listed)."""
    collected = [(section, _collect(section, enterprise_ids)) for section in sections()]
    return {pk: [SectionView(section.code, section.label, items.get(pk, [])) for section, items in collected]
            for pk in enterprise_ids}


def summaries_of(enterprise_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each enterprise's count per section, and `warnings`: the figures of the portfolio's list."""
    result = {}
    for pk, views in workbench_of(enterprise_ids).items():
        counts = {view.code: view.count for view in views}
        counts["warnings_total"] = sum(view.warnings for view in views)
        result[pk] = counts
    return result
