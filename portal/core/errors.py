"""Domain errors shared by every app. The API maps them to status codes, the admin to messages."""

from django.utils.translation import gettext_lazy as _


class IllegalTransition(Exception):
    """The record is not in a state that allows this action; nothing was changed."""

    def __init__(self, message=None, *, current_state: str = "", action: str = ""):
        self.current_state = current_state
        self.action = action
        self.message = message or _("This action is not allowed in the current state.")
        super().__init__(str(self.message))


class DeliveryFailure(Exception):
    """A notification could not be delivered on its channel."""

    def __init__(self, message: str, status_code: int | None = None, response: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.response = response  # what the other side answered, if it did


class TemporaryFailure(DeliveryFailure):
    """Network trouble, a 5xx or a 429: try again later."""


class PermanentFailure(DeliveryFailure):
    """The other side refused for good (e.g. a 4xx): trying again will not help."""


class AppendOnly(PermissionError):
    """The audit trail only grows: an event, once written, is neither changed nor deleted."""

    def __init__(self, message: str = "the audit trail is append-only") -> None:
        super().__init__(message)
