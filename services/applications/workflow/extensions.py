"""Rules other apps add to the workflow for their own kind of service item.

The talent app registers its rules here (the talent of the application, its eligibility,
the policy's quota and budget) so that the workflow functions stay the only way an
application moves, whatever its item. Each hook runs inside the workflow's transaction
with the application locked; raising `ValidationError` refuses the step and changes nothing.
An item's rules may also show the reviewing official what is particular to it (`review_panel`):
the admin renders whatever panels the registered rules give, knowing none of them. In the same
way they may show the applicant something on the application's page (`applicant_panel`, e.g. a
talent application's place on its policy's waiting list) and add list filters to the officials'
list of applications (`list_filters`).
"""

from dataclasses import dataclass, field
from typing import Any, Protocol

from services.models import Application


@dataclass(frozen=True)
class ReviewPanel:
    """A block of an application's page (the official's review page, the applicant's status page):
    the template to include, given `context` as `panel`."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


class ItemRules(Protocol):
    def on_create(self, application: Application, user: Any) -> None:
        """Right after the draft is created: link or refuse what the item needs."""

    def submission_errors(self, application: Application) -> dict[str, list[str]]:
        """Reasons, by field, why the draft cannot be submitted."""

    def on_approve(self, application: Application) -> None:
        """Just before the application is approved: refuse, or take what approval consumes."""

    def on_revoke(self, application: Application) -> None:
        """The approval is undone (revoked): give back what approval consumed."""

    def review_panel(self, application: Application, user: Any) -> ReviewPanel | None:
        """What `user`, reviewing the application, should see of the item's own data; None if nothing."""

    def applicant_panel(self, application: Application, user: Any) -> ReviewPanel | None:
        """What `user`, a member of the applying enterprise, should see of the item's own data; None if nothing."""

    def list_filters(self) -> list[type]:
        """Admin list filters (SimpleListFilter classes) the officials' list of applications adds."""

    def rehearsal_notes(self, application: Application) -> list[str]:
        """What the applicant should know before submitting (办前预演), e.g. a policy's quota left.
        Optional: rules without it add nothing."""
    def held_materials(self, application: Application) -> set[str]:
        """Codes of the item's materials the district already holds for this application: not asked for."""


_registered: list[ItemRules] = []


def register(rules: ItemRules) -> None:
    if rules not in _registered:
        _registered.append(rules)


def on_create(application: Application, user: Any) -> None:
    for rules in _registered:
        rules.on_create(application, user)


def submission_errors(application: Application) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for rules in _registered:
        for name, messages in rules.submission_errors(application).items():
            errors.setdefault(name, []).extend(messages)
    return errors


def on_approve(application: Application) -> None:
    for rules in _registered:
        rules.on_approve(application)


def on_revoke(application: Application) -> None:
    for rules in _registered:
        rules.on_revoke(application)


def review_panels(application: Application, user: Any) -> list[ReviewPanel]:
    """The panels the registered rules show `user` on the application's review page, in their order."""
    panels = (rules.review_panel(application, user) for rules in _registered)
    return [panel for panel in panels if panel is not None]


def applicant_panels(application: Application, user: Any) -> list[ReviewPanel]:
    """The panels the registered rules show `user` on the applicant's page of the application."""
    panels = (rules.applicant_panel(application, user) for rules in _registered)
    return [panel for panel in panels if panel is not None]


def list_filters() -> list[type]:
    """The list filters the registered rules add to the officials' list of applications."""
    return [list_filter for rules in _registered for list_filter in rules.list_filters()]


def rehearsal_notes(application: Application) -> list[str]:
    """The notes the registered rules add to the rehearsal of a submission, in their order."""
    notes: list[str] = []
    for rules in _registered:
        notes.extend(getattr(rules, "rehearsal_notes", lambda _application: [])(application))
    return notes
def held_materials(application: Application) -> set[str]:
    """The materials any registered rules say the district holds for `application` (optional hook)."""
    held: set[str] = set()
    for rules in _registered:
        hook = getattr(rules, "held_materials", None)
        if hook is not None:
            held |= set(hook(application))
    return held
