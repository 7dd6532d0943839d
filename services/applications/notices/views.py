"""The notices' pages: the clerk's download and the public verification page (/verify/).

A download is reached only through the applications the user may see (404 otherwise) and is sent as
an attachment with nosniff (`portal.core.files.download`). The verification page needs no sign-in;
it is limited per address (`NOTICE_VERIFY_THROTTLE`) so codes cannot be walked through, and shows
no personal data: the notice's kind, reference, department, item, date and the enterprise's name.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from portal.core.api.throttling import AddressThrottle
from portal.core.files import download
from services.applications.notices.codes import grouped, normalised
from services.applications.notices.models import Notice
from services.applications.notices.verification import verify
from services.applications.selectors import applications_of

log = logging.getLogger(__name__)


class VerifyThrottle(AddressThrottle):
    scope = "notice_verify"


def notice_file(notice: Notice) -> FileResponse:
    """The notice's PDF as a download (Content-Disposition attachment, nosniff); 404 if the file is gone."""
    if not notice.file or not notice.file.storage.exists(notice.file.name):
        log.error("the file of notice %s (%s) is missing from the private storage", notice.code, notice.file.name)
        raise Http404
    return download(notice.file, notice.file_name())


@login_required
def notice_download(request: HttpRequest, pk: int, notice_pk: int) -> FileResponse:
    application = get_object_or_404(applications_of(request.user), pk=pk)
    return notice_file(get_object_or_404(application.notices, pk=notice_pk))


def _throttled(request: HttpRequest) -> HttpResponse | None:
    throttle = VerifyThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = int(throttle.wait() or 60) + 1
    response = render(request, "services/notices/verify.html", {"throttled": True, "wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """The form to type a code in; a well-formed code goes on to its page."""
    typed = request.GET.get("code", "").strip()
    if typed and (code := normalised(typed)):
        return redirect("notice_verify", code=grouped(code))
    context = {"typed": typed, "malformed": bool(typed)}
    return render(request, "services/notices/verify.html", context, status=404 if typed else 200)


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Genuine or not, and whether the decision still stands; "not genuine" answers 404."""
    if (throttled := _throttled(request)) is not None:
        return throttled
    result = verify(code)
    context = {"result": result, "notice": result.notice, "typed": code}
    return render(request, "services/notices/verify.html", context, status=200 if result.genuine else 404)
