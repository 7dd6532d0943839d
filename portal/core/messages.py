"""Domain errors told to a person on a page or in the admin: the counterpart of the API's handler.

A domain function refuses by raising `ValidationError` (bad input, one message per field),
`IllegalTransition` (not in this state) or `PermissionError` (not theirs: answered as "not
found", so nothing is revealed). Views and admin actions run it inside `reported()` and get the
same messages everywhere.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from portal.core.errors import IllegalTransition


def messages_of(error: ValidationError, labels: Mapping[str, str] | None = None) -> list[str]:
    """One text per problem; a field's problems are prefixed by its label when one is given."""
    if not hasattr(error, "error_dict"):
        return [str(message) for message in error.messages]
    texts = []
    for field, problems in error.message_dict.items():
        label = (labels or {}).get(field)
        texts += [f"{label}: {problem}" if label else str(problem) for problem in problems]
    return texts


class Outcome:
    """What `reported()` saw: `ok` is False once a domain error was told."""

    ok = True


@contextmanager
def reported(request: HttpRequest, labels: Mapping[str, str] | None = None) -> Iterator[Outcome]:
    """Run a domain action; its refusals become error messages, and nothing changes.

    `PermissionError` becomes a 404: another enterprise's or department's record does not exist
    for this user.
    """
    outcome = Outcome()
    try:
        yield outcome
    except PermissionError:
        raise Http404 from None
    except IllegalTransition as error:
        outcome.ok = False
        messages.error(request, str(error.message))
    except ValidationError as error:
        outcome.ok = False
        for text in messages_of(error, labels):
            messages.error(request, text)
