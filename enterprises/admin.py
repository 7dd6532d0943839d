from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.credit import repair_credit
from enterprises.models import Enterprise, Membership
from enterprises.registration import reject_enterprise, verify_enterprise
from portal.core.access import is_superuser, reviews_registrations
from portal.core.errors import IllegalTransition
from portal.core.masking import mask_phone


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("verify", gettext_lazy("Verify")), ("reject", gettext_lazy("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Required for a rejection; the clerk reads it in the inbox."),
    )


class CreditRepairForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=gettext_lazy("Evidence"), required=False,
                               help_text=gettext_lazy("The enterprise's correction, a court or department decision…"))


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "status", "street", "tech_tier", "service_manager", "created_at", "decide_link",
                    "credit_link"]
    list_filter = ["status", "street", "tech_tier", "size", "industry"]
    search_fields = ["name", "uscc", "legal_representative"]
    inlines = [MembershipInline]
    actions = ["verify_selected"]
    readonly_fields = ["status", "status_reason", "decided_at", "decided_by", "created_by", "created_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if reviews_registrations(request.user):
            return queryset
        return queryset.none()

    def has_change_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_add_permission(self, request):
        # Enterprises register themselves in the portal or by the API.
        return False

    # The contact phone is personal data: officials read it masked; superusers, who may change it, whole.
    def get_exclude(self, request, obj=None):
        return [] if is_superuser(request.user) else ["contact_phone"]

    def get_readonly_fields(self, request, obj=None):
        masked = [] if is_superuser(request.user) else ["masked_contact_phone"]
        return [*super().get_readonly_fields(request, obj), *masked]

    @admin.display(description=gettext_lazy("contact phone"))
    def masked_contact_phone(self, obj):
        return mask_phone(obj.contact_phone)

    @admin.display(description=gettext_lazy("Decision"))
    def decide_link(self, obj):
        if obj.status != Enterprise.Status.PENDING:
            return "—"
        url = reverse("admin:enterprises_enterprise_decide", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Verify or reject"))

    @admin.display(description=gettext_lazy("Credit list"))
    def credit_link(self, obj):
        if not obj.on_credit_list():
            return "—"
        url = reverse("admin:enterprises_enterprise_repair_credit", args=[obj.pk])
        return format_html('{} <a class="button" href="{}">{}</a>', obj.credit_listed_until, url,
                           _("Record a credit repair"))

    @admin.action(description=gettext_lazy("Verify the selected registrations"))
    def verify_selected(self, request, queryset):
        done = 0
        for enterprise in queryset.filter(status=Enterprise.Status.PENDING):
            verify_enterprise(request.user, enterprise.pk)
            done += 1
        self.message_user(request, _("%(n)d registration(s) verified.") % {"n": done}, messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="enterprises_enterprise_decide",
            ),
            path(
                "<int:pk>/repair-credit/",
                self.admin_site.admin_view(self.repair_credit_view),
                name="enterprises_enterprise_repair_credit",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        def decide(enterprise: Enterprise, data: dict) -> str:
            act = verify_enterprise if data["decision"] == "verify" else reject_enterprise
            act(request.user, enterprise.pk, data["reason"])
            return _("Decision recorded.")

        return self._registration_page(request, pk, DecisionForm, decide, _("Verify or reject %(name)s"))

    def repair_credit_view(self, request, pk: int):
        def repair(enterprise: Enterprise, data: dict) -> str:
            repair_credit(request.user, enterprise.pk, data["reason"], data["evidence"])
            return _("Credit repair recorded: %(name)s may use commitments again.") % {"name": enterprise.name}

        return self._registration_page(
            request, pk, CreditRepairForm, repair, _("Credit repair of %(name)s"),
            records=lambda enterprise: enterprise.credit_records.filter(repaired_at__isnull=True),
            submit_label=_("Record the credit repair"),
        )

    def _registration_page(self, request, pk: int, form_class, act, title: str, records=None, submit_label=None):
        """A registration official's form on one enterprise: the domain function records it or names what is wrong."""
        if not reviews_registrations(request.user):
            raise PermissionDenied
        enterprise = get_object_or_404(self.get_queryset(request), pk=pk)
        form = form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                done = act(enterprise, form.cleaned_data)
            except ValidationError as error:
                # Errors the domain names by a field of the form go beside that field.
                for field, texts in getattr(error, "message_dict", {None: error.messages}).items():
                    form.add_error(field if field in form.fields else None, texts)
            except IllegalTransition as error:
                self.message_user(request, str(error.message), messages.ERROR)
                return redirect("admin:enterprises_enterprise_changelist")
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:enterprises_enterprise_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": enterprise,
            "title": title % {"name": enterprise.name},
            "form": form,
            "records": records(enterprise) if records else None,
            "submit_label": submit_label,
        }
        return render(request, "admin/enterprises/enterprise/decide.html", context)


from enterprises.managers import admin as manager_admin  # noqa: E402, F401  (the workbench's admin)
