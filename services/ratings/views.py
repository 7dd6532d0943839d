"""The clerk's rating (好差评) of a decided application, posted from the application's page.

Thin: `workflow.rate_application` decides everything; its refusals come back as messages on the
page, naming the field, and nothing changes. Another enterprise's application is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.core.messages import reported
from services.applications.selectors import applications_of
from services.ratings import workflow

FIELD_LABELS = {"score": gettext_lazy("Rating"), "comment": gettext_lazy("Comment")}


@login_required
@require_POST
def application_rate(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(applications_of(request.user), pk=pk)
    with reported(request, FIELD_LABELS) as outcome:
        rating = workflow.rate_application(request.user, application.pk, request.POST.get("score"),
                                           request.POST.get("comment", ""))
    if outcome.ok:
        if rating.is_bad:  # a bad rating always opens a rectification
            messages.success(request, _("Thank you for your rating. The department will look into it and answer "
                                        "by %(due)s.") % {"due": rating.rectification.due_date})
        else:
            messages.success(request, _("Thank you for your rating."))
    return redirect("application_detail", pk=application.pk)
