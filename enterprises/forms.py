from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from enterprises.registration import REGISTRATION_FIELDS


class EnterpriseRegistrationForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = [*REGISTRATION_FIELDS, "licence"]
        widgets = {
            # An <input type=date> takes only ISO dates: a localised one would show empty and be lost on correction.
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "uscc": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def validate_unique(self) -> None:
        # Uniqueness of the code is decided by register_enterprise, which also handles races.
        pass


class RegistrationCorrectionForm(EnterpriseRegistrationForm):
    """A rejected registration, corrected: the licence on file stays unless a new one is uploaded."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["licence"].required = False
        self.fields["licence"].help_text = _("Upload a new licence only if the district asked for one.")


class InviteMemberForm(forms.Form):
    identifier = forms.CharField(
        label=_("User name or e-mail"),
        max_length=150,
        help_text=_("The person must already have a portal account."),
    )
