"""Admin of the service catalogue: items with their materials, review steps and application form.

Only superusers add, change or delete; staff with the view permission read. The catalogue's rules
(promised within statutory, essential never deferrable) are checked in the forms, so the admin shows
a message on the field instead of failing on the database constraint. The form's fields are checked
row by row (`FormField.clean()`) and as a whole (`definition_problems`: unique keys, columns of an
existing table) before anything is saved.
"""

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.access import is_superuser
from portal.core.admin import DepartmentScoped, SuperuserChangesOnly
from services.catalogue.form_fields import definition_problems
from services.catalogue.views import template_download
from services.models import Department, FormField, MaterialRequirement, ReviewStep, ServiceItem


def _template_url(material: MaterialRequirement) -> str:
    return reverse(
        "admin:services_serviceitem_material_template", args=[material.service_id, material.code]
    )


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = [
            "code", "name", "name_en", "category", "is_active", "lead_department", "departments",
            "description", "description_en", "conditions", "conditions_en", "legal_basis", "legal_basis_en", "fee",
            "approval_mode", "statutory_days", "promised_days", "commitment_text", "commitment_text_en", "deferral_days", "deferral_grace_days", "post_check_ratio",
            "post_check_window_days", "credit_bar_days",
        ]

    def clean(self) -> dict[str, Any]:
        # The item's own rules are in ServiceItem.clean(); this one spans the many-to-many field,
        # which the model cannot see before it is saved.
        cleaned = super().clean()
        lead, departments = cleaned.get("lead_department"), cleaned.get("departments")
        if lead is not None and departments is not None and lead not in departments:
            self.add_error("departments", ValidationError(
                _("“%(field)s” must include the lead department, %(lead)s."),
                code="lead_not_responsible",
                params={"field": ServiceItem._meta.get_field("departments").verbose_name, "lead": lead},
            ))
        return cleaned


class _LinkedTemplate:
    """A stored template shown in the upload widget, linked to the admin's download view."""

    def __init__(self, file: Any, url: str) -> None:
        self.file = file
        self.url = url

    def __str__(self) -> str:
        return PurePath(self.file.name).name


class TemplateFileInput(forms.ClearableFileInput):
    """Private files have no public URL: link the current template to the admin's download view."""

    def format_value(self, value: Any) -> Any:
        value = super().format_value(value)
        material = getattr(value, "instance", None)
        if value and material is not None and material.pk:
            return _LinkedTemplate(value, _template_url(material))
        return value


class CatalogueInline(SuperuserChangesOnly, admin.TabularInline):
    """Inlines of an item follow the item's permissions: superusers edit, viewers of items read."""

    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request.user) or (
            request.user.is_active and request.user.has_perm("services.view_serviceitem")
        )



class MaterialRequirementInline(CatalogueInline):
    model = MaterialRequirement
    readonly_fields = ["template_download"]
    formfield_overrides = {models.FileField: {"widget": TemplateFileInput}}

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["code", "name", "name_en", "required", "essential", "deferrable", "accepted_types"]
        if self.has_change_permission(request, obj):
            return [*fields, "template"]
        return [*fields, "template_download"]

    @admin.display(description=_("template file"))
    def template_download(self, material: MaterialRequirement) -> str:
        if not material.pk or not material.template:
            return "—"
        return format_html('<a href="{}">{}</a>', _template_url(material), PurePath(material.template.name).name)


class ReviewStepInline(CatalogueInline):
    model = ReviewStep
    fields = ["order", "name", "name_en", "department", "promised_days"]


class FormFieldFormSet(BaseInlineFormSet):
    """The form's fields as a whole: each problem is told on the row and attribute at fault."""

    def clean(self) -> None:
        # Before Django's own check of unique keys, which stops at the first duplicate without naming the row.
        # The rows that will be there once saved: not deleted, and not an extra row left blank.
        kept = [form for form in self.forms
                if (form.instance.pk or form.has_changed()) and not (self.can_delete and self._should_delete_form(form))]
        for index, problems in definition_problems([form.instance for form in kept]).items():
            for field, messages in problems.items():
                kept[index].add_error(field, messages)
        super().clean()


class FormFieldInline(CatalogueInline, admin.StackedInline):
    model = FormField
    formset = FormFieldFormSet
    template = "admin/edit_inline/stacked.html"
    fieldsets = [
        (None, {"fields": [("order", "key", "table", "kind", "required"), ("label", "label_en"), ("help", "help_en"),
                           "prefill"]}),
        (_("Text"), {"fields": [("max_length", "pattern"), ("pattern_message", "pattern_message_en")]}),
        (_("Number"), {"fields": [("min_value", "max_value", "whole_number")]}),
        (_("Choice"), {"fields": ["options", "multiple"]}),
        (_("Table rows"), {"fields": [("min_rows", "max_rows")]}),
    ]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}


@admin.register(ServiceItem)
class ServiceItemAdmin(SuperuserChangesOnly, admin.ModelAdmin):
    form = ServiceItemForm
    inlines = [MaterialRequirementInline, ReviewStepInline, FormFieldInline]
    list_display = [
        "code", "name", "approval_mode", "category", "lead_department",
        "promised_days", "statutory_days", "is_active",
    ]
    list_filter = ["approval_mode", "category", "lead_department", "is_active"]
    list_select_related = ["lead_department"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["departments"]
    ordering = ["code"]
    fieldsets = [
        (None, {"fields": ["code", ("name", "name_en"), "category", "is_active"]}),
        (_("Departments"), {"fields": ["lead_department", "departments"]}),
        # Each Chinese text with its English version beside it (portal.core.bilingual shows the one the reader reads).
        (_("Guide"), {"fields": [("description", "description_en"), ("conditions", "conditions_en"),
                                 ("legal_basis", "legal_basis_en"), "fee"]}),
        (_("Approval and time limits"), {"fields": ["approval_mode", "statutory_days", "promised_days"]}),
        (
            _("Deferred documents and commitments"),
            {
                "fields": [
                    ("commitment_text", "commitment_text_en"), "deferral_days", "deferral_grace_days",
                    "post_check_ratio", "post_check_window_days", "credit_bar_days",
                ]
            },
        ),
    ]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/materials/<str:material_code>/template/",
                self.admin_site.admin_view(self.material_template_view),
                name="services_serviceitem_material_template",
            ),
            *super().get_urls(),
        ]

    def material_template_view(self, request: HttpRequest, object_id: str, material_code: str) -> FileResponse:
        """A material's template for whoever may view the item, also of items closed to the public."""
        item = self.get_object(request, object_id)
        if item is None:
            raise Http404
        if not self.has_view_permission(request, item):
            raise PermissionDenied
        return template_download(get_object_or_404(MaterialRequirement, service=item, code=material_code))


@admin.register(Department)
class DepartmentAdmin(DepartmentScoped, admin.ModelAdmin):
    department_lookup = "pk"
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["officials"]
