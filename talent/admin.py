"""Admin of the talent policies (superusers edit, officials read) and a read-only view of talent.

Talent profiles belong to their employers: in the admin only superusers see them, and
officials see the talent of the applications they review on the application's page. The ID
number is shown masked everywhere; an entitled official asks for the whole number on a page of
its own (`id_number_view`), and the asking is in the audit trail. The
officials' list of applications can show those waiting for a policy's quota (`WaitingForQuotaFilter`,
added to it through the workflow's extension registry).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from portal.core.admin import SuperuserChangesOnly, SuperuserOnly
from talent import identity
from talent.applications import usage, with_usage
from talent.eligibility import RULES, describe_rules
from talent.models import PolicyMatch, Talent, TalentPolicy
from talent.offers.enterprise_applications import waiting_application_ids as enterprise_waiting
from talent.selectors import waiting_application_ids


class WaitingForQuotaFilter(admin.SimpleListFilter):
    """The applications on a talent or enterprise policy's waiting list: in review, only the final decision left,
    and fewer grants left this year than applications waiting for them."""

    title = _("waiting for quota")
    parameter_name = "waiting_for_quota"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", _("Waiting for quota"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(pk__in=waiting_application_ids() | enterprise_waiting())


class TalentPolicyForm(forms.ModelForm):
    class Meta:
        model = TalentPolicy
        fields = ["service", "benefit_kind", "amount", "benefit_description", "benefit_description_en",
                  "annual_budget", "annual_quota", "opens_on", "closes_on", "rules"]
        widgets = {"rules": forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Talent items are offered; a policy whose item moved to another domain keeps it in the list,
        # so that saving it shows the model's refusal instead of "not one of the choices".
        offered = Q(category="talent")
        if self.instance.service_id:
            offered |= Q(pk=self.instance.service_id)
        self.fields["service"].queryset = self.fields["service"].queryset.filter(offered)
        self.fields["rules"].help_text = format_html_join(
            "", "<br><code>{}</code>: {}", ((name, kind.label) for name, kind in RULES.items())
        )


@admin.register(TalentPolicy)
class TalentPolicyAdmin(SuperuserChangesOnly, admin.ModelAdmin):
    form = TalentPolicyForm
    list_display = ["code", "title", "benefit_kind", "amount", "annual_quota", "quota_left", "opens_on",
                    "closes_on", "conditions"]
    list_filter = ["benefit_kind"]
    search_fields = ["service__code", "service__name"]
    list_select_related = ["service"]
    # The policy's name, description and conditions are its service item's, edited with the item.
    fieldsets = [
        (None, {"fields": ["service", "benefit_kind", "amount", ("benefit_description", "benefit_description_en")]}),
        (_("Quota and budget"), {"fields": ["annual_budget", "annual_quota", "opens_on", "closes_on"]}),
        (_("Eligibility"), {"fields": ["rules"]}),
    ]

    def get_queryset(self, request):
        return with_usage(super().get_queryset(request))

    @admin.display(description=_("code"), ordering="service__code")
    def code(self, obj):
        return obj.service.code

    @admin.display(description=_("name"))
    def title(self, obj):
        return str(obj.service)

    @admin.display(description=_("quota left this year"))
    def quota_left(self, obj):
        left = usage(obj).quota_remaining(obj)
        return "∞" if left is None else left

    @admin.display(description=_("conditions"))
    def conditions(self, obj):
        return "; ".join(describe_rules(obj)) or "—"


@admin.register(Talent)
class TalentAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["name", "masked_id", "enterprise", "tier", "education", "returnee", "started_on"]
    list_filter = ["tier", "education", "returnee"]
    search_fields = ["name", "enterprise__name"]
    list_select_related = ["enterprise"]
    # The number is never in a form of the admin: employers change it, and it is shown masked.
    exclude = ["id_number"]
    readonly_fields = ["masked_id", "birth_date", "gender"]
    raw_id_fields = ["enterprise"]

    def has_add_permission(self, request, *args):
        return False  # employers add their talent in the portal or by the API

    @admin.display(description=_("resident ID number"))
    def masked_id(self, obj):
        url = reverse("admin:talent_talent_id_number", args=[obj.pk])
        return format_html('{} <a class="show-id-number" href="{}">{}</a>', obj.masked_id_number, url, _("Show"))

    def get_urls(self):
        return [
            path("<int:pk>/id-number/", self.admin_site.admin_view(self.id_number_view),
                 name="talent_talent_id_number"),
            *super().get_urls(),
        ]

    def id_number_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The whole ID number, for an official entitled to it: asked for (GET), then shown (POST) and
        recorded in the audit trail. Anyone else: 403, and nothing is recorded."""
        talent = get_object_or_404(Talent.objects.select_related("enterprise"), pk=pk)
        if not identity.may_see_full_id_number(request.user, talent):
            raise PermissionDenied
        back = request.GET.get("next") or request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = ""
        number = None
        if request.method == "POST":
            try:
                number = identity.reveal_id_number(request.user, talent)
            except PermissionError:
                raise PermissionDenied from None
        response = TemplateResponse(request, "admin/talent/id_number.html", {
            **self.admin_site.each_context(request), "title": _("Resident ID number of %(name)s") % {
                "name": talent.name}, "talent": talent, "number": number, "back": back,
        })
        response["Cache-Control"] = "no-store"  # the page with the number stays in no cache
        return response


@admin.register(PolicyMatch)
class PolicyMatchAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["policy", "talent", "enterprise", "matched_on", "lapsed_on", "notified_at"]
    list_filter = ["policy", "matched_on"]
    list_select_related = ["policy__service", "talent", "enterprise"]
    search_fields = ["enterprise__name"]


from talent.offers import admin as offers_admin  # noqa: E402,F401 (the offers' admin, registered there)
