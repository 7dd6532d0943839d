"""The page of an unexpected error (500): the portal's, in the reader's language, with nothing technical.

Django's own handler renders `500.html` with an empty context; this one gives the template the
request (for the language switch's return address) but runs no context processor, so a database
or cache that is down cannot break the error page too. Should even that fail, a plain page answers.
"""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("portal.errors")
PLAIN = "<!doctype html><title>先丰港</title><h1>系统繁忙，请稍后再试。 / Something went wrong; please try again later.</h1>"


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
    except Exception:  # noqa: BLE001 - the error page must answer whatever else is broken
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(PLAIN)
