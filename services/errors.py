"""Domain errors shared by every app. The API maps them to status codes, the admin to messages."""

from django.utils.translation import gettext_lazy as _


class IllegalTransition(Exception):
    """The record is not in a state that allows this action; nothing was changed."""

    def __init__(self, message=None, *, current_state: str = "", action: str = ""):
        self.current_state = current_state
        self.action = action
        self.message = message or _("This action is not allowed in the current state.")
        super().__init__(str(self.message))
