"""The application form of a service item (申请表): its fields, one row each.

The definition is kept as rows of `FormField`, ordered, rather than as one JSON schema on the
item, because officials edit it in the admin as an inline of the item, where each attribute gets
its own widget and each row its own error message; the database keeps a key unique within the
item and a minimum below its maximum; and each row is readable on its own (the catalogue's API,
the clerk's page, the admin's answer table). A table (a repeated group, e.g. the staff of a
food business) is a field of kind `table`; its columns are fields that name the table's key in
`table`. Columns are never tables themselves: two levels at most.

`definition_problems` checks a whole definition at once (unique keys, columns of an existing
table, a table with columns): the admin's inline and the demo loader call it before saving.
Each row's own coherence (a choice has options, a text's pattern compiles, …) is its `clean()`.
Answers are checked against the definition by `services/applications/form_answers.py`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.bilingual import Shown, localised, shown

# At most this many rows in a table, whatever its definition says: a form is filled by a person.
MAX_TABLE_ROWS = 200
# The portal refuses longer text at the door (portal/core/input_checks.py MAX_TEXT_LENGTH).
MAX_TEXT_LENGTH = 10_000
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
OPTION_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")

key_validator = RegexValidator(
    KEY_PATTERN, _("A key is a lower-case letter, then lower-case letters, digits or “_” (40 at most)."),
)


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    TABLE = "table", _("Table rows")


@dataclass(frozen=True)
class PrefillSource:
    """Registered data of the applying enterprise that a field may be prefilled from."""

    attribute: str
    kind: str
    label: str


# The fixed list of prefill sources: the enterprise's registered data (enterprises.Enterprise).
PREFILL_SOURCES: dict[str, PrefillSource] = {
    "enterprise.name": PrefillSource("name", FieldKind.TEXT, _("Enterprise name")),
    "enterprise.uscc": PrefillSource("uscc", FieldKind.TEXT, _("Unified social credit code")),
    "enterprise.legal_representative": PrefillSource("legal_representative", FieldKind.TEXT,
                                                     _("Legal representative")),
    "enterprise.registered_address": PrefillSource("registered_address", FieldKind.TEXT, _("Registered address")),
    "enterprise.contact_name": PrefillSource("contact_name", FieldKind.TEXT, _("Contact person")),
    "enterprise.contact_phone": PrefillSource("contact_phone", FieldKind.TEXT, _("Contact phone")),
    "enterprise.contact_email": PrefillSource("contact_email", FieldKind.TEXT, _("Contact e-mail")),
    "enterprise.founded_on": PrefillSource("founded_on", FieldKind.DATE, _("Founding date")),
    "enterprise.registered_capital": PrefillSource("registered_capital", FieldKind.NUMBER,
                                                   _("Registered capital (10,000 CNY)")),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    label_en: str

    def shown(self) -> Shown:
        return shown(self.label, self.label_en)


def parse_options(text: str) -> list[Option]:
    """The options of a choice field, one a line: `value|中文|English` (the English may be left out)."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, label, english = ([part.strip() for part in line.split("|")] + ["", ""])[:3]
        options.append(Option(value, label or value, english))
    return options


class FormField(models.Model):
    """One field of a service item's application form, or one column of a table field."""

    service = models.ForeignKey("services.ServiceItem", on_delete=models.CASCADE, related_name="form_fields")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    key = models.CharField(_("key"), max_length=40, validators=[key_validator],
                           help_text=_("The name of the answer in the API, e.g. “floor_area”."))
    table = models.CharField(_("column of the table"), max_length=40, blank=True,
                             help_text=_("The key of the table field this is a column of; empty for a field of "
                                         "the form itself."))
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=150, blank=True)
    help = models.CharField(_("help text"), max_length=300, blank=True)
    help_en = models.CharField(_("English help text"), max_length=400, blank=True)
    required = models.BooleanField(_("required"), default=False,
                                   help_text=_("Needed to submit; a draft may be saved without it."))
    max_length = models.PositiveIntegerField(
        _("maximum length"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TEXT_LENGTH)])
    pattern = models.CharField(_("pattern"), max_length=200, blank=True,
                               help_text=_("A regular expression the whole text must match."))
    pattern_message = models.CharField(_("pattern error text"), max_length=200, blank=True)
    pattern_message_en = models.CharField(_("English pattern error text"), max_length=300, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=16, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=16, decimal_places=4, null=True, blank=True)
    whole_number = models.BooleanField(_("whole numbers only"), default=False)
    options = models.TextField(_("options"), blank=True,
                               help_text=_("One option a line: value|中文|English, e.g. “hot|热食类食品制售|Hot food”."))
    multiple = models.BooleanField(_("several options may be chosen"), default=False)
    min_rows = models.PositiveSmallIntegerField(_("minimum rows"), null=True, blank=True)
    max_rows = models.PositiveSmallIntegerField(
        _("maximum rows"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_TABLE_ROWS)])
    prefill = models.CharField(
        _("prefilled from"), max_length=40, blank=True,
        choices=[(code, source.label) for code, source in PREFILL_SOURCES.items()],
        help_text=_("The applying enterprise's registered data shown in the field to start with."))

    class Meta:
        ordering = ["service", "order", "id"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="form_field_key_per_service"),
            models.CheckConstraint(condition=Q(min_value__isnull=True) | Q(max_value__isnull=True)
                                   | Q(min_value__lte=F("max_value")), name="form_field_min_within_max"),
            models.CheckConstraint(condition=Q(min_rows__isnull=True) | Q(max_rows__isnull=True)
                                   | Q(min_rows__lte=F("max_rows")), name="form_field_rows_min_within_max"),
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.label}"

    # In the reader's language (portal.core.bilingual): a `Shown` that knows when it fell back to Chinese.
    @property
    def label_shown(self) -> Shown:
        return localised(self, "label")

    @property
    def help_shown(self) -> Shown:
        return localised(self, "help")

    @property
    def pattern_message_shown(self) -> Shown:
        return localised(self, "pattern_message")

    def option_list(self) -> list[Option]:
        return parse_options(self.options)

    def row_limit(self) -> int:
        return min(self.max_rows or MAX_TABLE_ROWS, MAX_TABLE_ROWS)

    def clean(self) -> None:
        errors: dict[str, list] = {}

        def refuse(field: str, message) -> None:
            errors.setdefault(field, []).append(message)

        only_for = {
            "max_length": FieldKind.TEXT, "pattern": FieldKind.TEXT, "pattern_message": FieldKind.TEXT,
            "min_value": FieldKind.NUMBER, "max_value": FieldKind.NUMBER, "whole_number": FieldKind.NUMBER,
            "options": FieldKind.CHOICE, "multiple": FieldKind.CHOICE,
            "min_rows": FieldKind.TABLE, "max_rows": FieldKind.TABLE,
        }
        for name, kind in only_for.items():
            if self.kind != kind and getattr(self, name) not in (None, "", False):
                refuse(name, _("Only a field of kind “%(kind)s” has this.") % {"kind": FieldKind(kind).label})
        if self.kind == FieldKind.CHOICE:
            self._clean_options(refuse)
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as error:
                refuse("pattern", _("Not a valid regular expression: %(error)s.") % {"error": error})
            if not self.pattern_message.strip():
                refuse("pattern_message", _("Say what the applicant got wrong when the pattern does not match."))
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            refuse("max_value", _("The maximum cannot be below the minimum."))
        if self.min_rows is not None and self.min_rows > self.row_limit():
            refuse("min_rows", _("The minimum of rows cannot exceed the maximum (%(max)s).") % {"max": self.row_limit()})
        if self.table and self.kind == FieldKind.TABLE:
            refuse("kind", _("A column of a table cannot be a table itself."))
        if self.prefill:
            self._clean_prefill(refuse)
        if errors:
            raise ValidationError(errors)

    def _clean_options(self, refuse) -> None:
        options = self.option_list()
        if not options:
            refuse("options", _("A choice field needs at least one option."))
        values = [option.value for option in options]
        bad = [value for value in values if not OPTION_VALUE.match(value)]
        if bad:
            refuse("options", _("An option's value is letters, digits, “_” or “-” (40 at most), not “%(value)s”.")
                   % {"value": bad[0][:40]})
        twice = sorted({value for value in values if values.count(value) > 1})
        if twice:
            refuse("options", _("The option “%(value)s” is given twice.") % {"value": twice[0]})

    def _clean_prefill(self, refuse) -> None:
        source = PREFILL_SOURCES.get(self.prefill)
        if source is None:
            refuse("prefill", _("Not a known source."))
        elif self.table:
            refuse("prefill", _("A column of a table is not prefilled."))
        elif source.kind != self.kind:
            refuse("prefill", _("“%(source)s” fills a field of kind “%(kind)s”.")
                   % {"source": source.label, "kind": FieldKind(source.kind).label})


def definition_problems(fields: Sequence[FormField]) -> dict[int, dict[str, list[str]]]:
    """What is incoherent across the fields of one form, by the index of the field and its attribute.

    Keys unique within the form; a column names a table field of the same form; a table has a column.
    """
    problems: dict[int, dict[str, list[str]]] = {}

    def refuse(index: int, field: str, message) -> None:
        problems.setdefault(index, {}).setdefault(field, []).append(str(message))

    keys = [field.key for field in fields]
    tables = {field.key for field in fields if field.kind == FieldKind.TABLE and not field.table}
    for index, field in enumerate(fields):
        if field.key and keys.count(field.key) > 1:
            refuse(index, "key", _("The key “%(key)s” is given to more than one field.") % {"key": field.key})
        if field.table and field.table not in tables:
            refuse(index, "table", _("No table field of this form has the key “%(key)s”.") % {"key": field.table})
        if field.kind == FieldKind.TABLE and not field.table and not any(f.table == field.key for f in fields):
            refuse(index, "kind", _("A table needs at least one column: a field naming “%(key)s” as its table.")
                   % {"key": field.key})
    return problems


def form_of(fields: Sequence[FormField]) -> tuple[list[FormField], dict[str, list[FormField]]]:
    """The fields of the form itself, in order, and the columns of each table by its key."""
    ordered = sorted(fields, key=lambda field: (field.order, field.pk or 0))
    top = [field for field in ordered if not field.table]
    columns = {field.key: [column for column in ordered if column.table == field.key]
               for field in top if field.kind == FieldKind.TABLE}
    return top, columns


def decimal_shown(value: Decimal | None) -> str:
    """A bound without trailing zeros: 120, not 120.0000."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text
