"""Admin of the enterprise policies, the offers (免申即享) and their disbursements (拨付).

Officials see the offers of their departments' policies, with each waiting one's position, and
decide a confirmation in review, or revoke a grant, by the actions (`talent.offers.workflow`). The
finance office (permission `talent.record_payment`) records each payment: date paid and reference.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core import access
from portal.core.admin import SuperuserChangesOnly, SuperuserOnly
from portal.core.messages import reported
from talent.offers import selectors, workflow
from talent.offers.enterprise_rules import RULES, describe_rules
from talent.offers.models import Disbursement, EnterprisePolicy, EnterprisePolicyMatch, Offer, OfferStatus


class OfferWaitingForQuotaFilter(admin.SimpleListFilter):
    """The confirmations on a policy's waiting list (as `WaitingForQuotaFilter` for applications)."""

    title = _("waiting for quota")
    parameter_name = "waiting_for_quota"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", _("Waiting for quota"))]

    def queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.waiting_offer_ids()) if self.value() == "yes" else queryset


class EnterprisePolicyForm(forms.ModelForm):
    class Meta:
        model = EnterprisePolicy
        fields = ["service", "benefit_kind", "amount", "benefit_description", "benefit_description_en",
                  "annual_budget", "annual_quota", "opens_on", "closes_on", "rules", "no_application",
                  "review_required", "held_materials"]
        widgets = {"rules": forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rules"].help_text = "<br>".join(f"<code>{name}</code>: {kind.label}" for name, kind in RULES.items())


@admin.register(EnterprisePolicy)
class EnterprisePolicyAdmin(SuperuserChangesOnly, admin.ModelAdmin):
    form = EnterprisePolicyForm
    list_display = ["service", "benefit_kind", "amount", "annual_quota", "no_application", "review_required",
                    "conditions"]
    list_select_related = ["service"]
    search_fields = ["service__code", "service__name"]

    @admin.display(description=_("conditions"))
    def conditions(self, obj):
        return "; ".join(describe_rules(obj)) or "—"


@admin.register(EnterprisePolicyMatch)
class EnterprisePolicyMatchAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["policy", "enterprise", "matched_on", "lapsed_on", "notified_at"]
    list_select_related = ["policy__service", "enterprise"]
    search_fields = ["enterprise__name"]


class DisbursementInline(admin.StackedInline):
    model = Disbursement
    can_delete = False
    extra = 0
    readonly_fields = ["amount", "scheduled_on", "paid_on", "reference", "updated_by", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["__str__", "enterprise", "status", "offered_on", "confirmed_at", "place", "granted_amount"]
    list_filter = ["status", OfferWaitingForQuotaFilter]
    search_fields = ["enterprise__name", "talent_policy__service__code", "enterprise_policy__service__code"]
    list_select_related = ["enterprise", "talent", "talent_policy__service", "enterprise_policy__service"]
    readonly_fields = [f.name for f in Offer._meta.fields]
    inlines = [DisbursementInline]
    actions = ["approve", "refuse", "revoke"]

    def get_queryset(self, request):
        offers = super().get_queryset(request)
        if access.is_superuser(request.user):
            return offers
        departments = access.department_ids(request.user)
        return offers.filter(Q(talent_policy__service__lead_department__in=departments)
                             | Q(enterprise_policy__service__lead_department__in=departments))

    def has_module_permission(self, request) -> bool:
        return access.is_official(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.is_official(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("place on the waiting list"))
    def place(self, obj):
        place = selectors.place_of(obj)
        return f"{place.position} / {place.count}" if place else "—"

    def _each(self, request, queryset, act) -> None:
        done = 0
        for offer in queryset:
            with reported(request) as outcome:
                act(offer)
            done += outcome.ok
        if done:
            self.message_user(request, _("%(count)s offer(s) changed.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the confirmations in review"))
    def approve(self, request, queryset):
        self._each(request, queryset, lambda offer: workflow.review(request.user, offer.pk, "approve"))

    @admin.action(description=_("Refuse the confirmations in review (the data do not hold)"))
    def refuse(self, request, queryset):
        reason = str(_("Refused after review: the data the offer is based on do not hold."))
        self._each(request, queryset, lambda offer: workflow.review(request.user, offer.pk, "refuse", reason))

    @admin.action(description=_("Revoke the grants (the quota goes to the first in line)"))
    def revoke(self, request, queryset):
        reason = str(_("Revoked after review: the data the grant was based on do not hold."))
        self._each(request, queryset.filter(status=OfferStatus.GRANTED),
                   lambda offer: workflow.revoke(request.user, offer.pk, reason))


@admin.register(Disbursement)
class DisbursementAdmin(admin.ModelAdmin):
    """The finance office's list of payments: it records the date paid and the reference."""

    list_display = ["offer", "amount", "scheduled_on", "paid_on", "reference"]
    list_filter = ["paid_on", "scheduled_on"]
    list_select_related = ["offer__enterprise", "offer__talent", "offer__talent_policy__service",
                           "offer__enterprise_policy__service"]
    fields = ["offer", "amount", "scheduled_on", "paid_on", "reference"]
    readonly_fields = ["offer", "amount"]

    def _finance(self, request) -> bool:
        return access.is_superuser(request.user) or request.user.has_perm("talent.record_payment")

    def has_module_permission(self, request) -> bool:
        return self._finance(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._finance(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._finance(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Through the domain function: the checks, the timeline and the enterprise's message.
        with reported(request):
            workflow.record_payment(request.user, obj.offer_id, paid_on=obj.paid_on, reference=obj.reference,
                                    scheduled_on=obj.scheduled_on)
