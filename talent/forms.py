"""The clerk's talent profile form.

The form only reads what was typed (required fields, choices, dates). The profile's rules
(the ID number, the start date, one person once per employer) are checked by
`talent.profiles`, whose errors the views put back on this form's fields.
"""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from talent.models import Talent
from talent.profiles import PROFILE_FIELDS


def employers_of(user: Any) -> Any:
    """The enterprises a clerk may add talent to: their verified ones, which can apply for policies."""
    return Enterprise.objects.of_member(user).filter(status=Enterprise.Status.VERIFIED).order_by("name")


class TalentForm(forms.ModelForm):
    """A talent's profile; with an employer choice when a new talent could belong to several enterprises."""

    class Meta:
        model = Talent
        fields = PROFILE_FIELDS
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, employers: Any = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A number may be typed with spaces; its length is judged once, by the ID number's own rule.
        id_number = self.fields["id_number"]
        id_number.max_length = None
        id_number.validators = [v for v in id_number.validators if not isinstance(v, MaxLengthValidator)]
        id_number.widget.attrs.pop("maxlength", None)
        id_number.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        if self.instance.pk:
            # The stored number is never sent to the page; an empty field keeps it.
            self.initial["id_number"] = ""
            id_number.required = False
            id_number.help_text = _("Leave empty to keep %(masked)s.") % {"masked": self.instance.masked_id_number}
        if employers is not None and len(employers) > 1:
            self.fields["employer"] = forms.ModelChoiceField(
                label=_("Employer"), queryset=employers, empty_label=None,
            )
            self.order_fields(["employer", *PROFILE_FIELDS])

    def _post_clean(self) -> None:
        """Leave the model untouched: `talent.profiles` validates and saves it, in one place."""

    def profile_data(self) -> dict[str, Any]:
        """What `add_talent` and `update_talent` take; an empty ID number on an edit keeps the stored one."""
        data = {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name in self.cleaned_data}
        if self.instance.pk and not data.get("id_number"):
            data.pop("id_number", None)
        return data

    def add_domain_errors(self, error: ValidationError) -> None:
        """Show a refusal of `talent.profiles` on the field it names, or above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, problems in error.error_dict.items():
            field = name if name in self.fields and name != NON_FIELD_ERRORS else None
            self.add_error(field, problems)
