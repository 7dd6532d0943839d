"""Site pages that belong to no single domain: home, sign-up, the inbox."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.inbox import inbox_of
from notifications.inbox import mark_read as read_message
from notifications.models import Notification


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20, required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "first_name", "email", "phone"]
        labels = {"first_name": gettext_lazy("Full name")}


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.language = "en" if (get_language() or "").startswith("en") else "zh-hans"
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Register your enterprise to start."))
        return redirect("my_enterprises")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = inbox_of(request.user)[:200]
    return render(request, "inbox.html", {"notifications": notifications})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = read_message(request.user, pk)
    except Notification.DoesNotExist:  # another person's message does not exist for this one
        raise Http404 from None
    return redirect(notification.link or "inbox")
