"""The clerk's page of the thread with the enterprise's service manager."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enterprises.managers.models import MESSAGE_MAX_LENGTH
from enterprises.managers.thread import post_message, thread_of
from portal.core.access import member_enterprise


@login_required
def enterprise_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's thread with its service manager: read it, write in it (the manager is told)."""
    enterprise = member_enterprise(request.user, pk)
    error = ""
    text = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            post_message(request.user, enterprise, text)
        except ValidationError as refusal:
            error = " ".join(refusal.message_dict.get("text", refusal.messages))
        else:
            messages.success(request, _("Your message was sent to your service manager."))
            return redirect("enterprise_messages", pk=enterprise.pk)
    return render(request, "enterprises/messages.html", {
        "enterprise": enterprise, "manager": enterprise.service_manager, "thread": thread_of(enterprise),
        "error": error, "text": text, "max_length": MESSAGE_MAX_LENGTH,
    }, status=400 if error else 200)
