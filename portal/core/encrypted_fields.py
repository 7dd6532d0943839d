"""Model fields that keep personal data encrypted in the database, and the checks on its keys.

`EncryptedCharField` holds the plain value in Python and the SM4-GCM sealed value in a text column
(`portal.core.field_crypto`). A sealed text is different every time, so an exact search or a
uniqueness constraint goes through a `LookupHashField` beside it: HMAC-SM3 of the value under
FIELD_LOOKUP_KEY, always derived from the plain value and written with it.

The lookup column follows every `save()`, `create()` and `bulk_create()`. `QuerySet.update()` and
`bulk_update()` of the plain field write no lookup: use them only where the value does not change
(re-encrypting it does not).
"""

from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldError
from django.db import DatabaseError, models, transaction
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from django.db.models.signals import pre_save

from portal.core import field_crypto


class _EmptyOnlyExact(Exact):
    """`field=""` still works (a blank phone is stored blank); any other value is refused, loudly."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            field = self.lhs.output_field
            raise FieldError(
                f"{field.model._meta.label}.{field.name} is encrypted: search it by its lookup column "
                f"({field.name}_lookup=<field>.lookup_of(value)), never by the value."
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A text kept SM4-encrypted at rest. `max_length` bounds the plain value (forms, validation).

    Only `isnull` and a comparison with "" are lookups. A model moved to another app keeps its
    values readable by passing its old `context` (by default `<app>.<model>.<field>`), which is
    bound to every sealed value.
    """

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.explicit_context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        if self.explicit_context:
            kwargs["context"] = self.explicit_context
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return self.explicit_context or f"{self.model._meta.label_lower}.{self.name}"

    def get_internal_type(self) -> str:
        return "TextField"  # the sealed value is longer than the plain one: no varchar limit

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return field_crypto.open_sealed(value, self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return field_crypto.seal(value, self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return _EmptyOnlyExact if lookup_name == "exact" else None

    def get_transform(self, name: str) -> Any:
        return None

    def lookup_of(self, plain: str) -> str:
        """What this field's lookup column holds for `plain` (an exact, already normalised value)."""
        return field_crypto.lookup_hash(plain or "", self.context)


class _DerivedLookup:
    """The lookup column's attribute: always the digest of the plain value, never stale."""

    def __init__(self, field: "LookupHashField") -> None:
        self.field = field

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        source = instance._meta.get_field(self.field.source)
        return source.lookup_of(getattr(instance, source.attname))

    def __set__(self, instance: Any, value: Any) -> None:
        # What the database or a constructor gives is derived again on reading; keeping it in
        # __dict__ tells Django the column is loaded, so save() writes it.
        instance.__dict__[self.field.attname] = value


class LookupHashField(models.CharField):
    """HMAC-SM3 of the plain value of the EncryptedCharField `source`; "" when it is blank."""

    descriptor_class = _DerivedLookup

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.update(max_length=64, editable=False, blank=True, default="")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "editable", "blank", "default"):
            kwargs.pop(fixed, None)
        kwargs["source"] = self.source
        return name, path, args, kwargs


def _lookups_of(model: type[models.Model]) -> list[LookupHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]


def _refuse_a_stale_lookup(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """save(update_fields=[...]) naming an encrypted field must name its lookup column too."""
    if not update_fields:
        return
    for lookup in _lookups_of(sender):
        if lookup.source in update_fields and lookup.name not in update_fields:
            raise ValueError(f"save(update_fields=...) names {lookup.source} without {lookup.name}: "
                             "its lookup column would go stale.")


pre_save.connect(_refuse_a_stale_lookup, dispatch_uid="portal.core.encrypted_fields.stale_lookup")


# --- the columns, their keys, and re-encryption ----------------------------------------------------


def encrypted_columns() -> Iterator[tuple[type[models.Model], EncryptedCharField]]:
    """Each encrypted column once: a proxy model shares its table with the model it stands for."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                yield model, field


def _filled(model: type[models.Model], field: EncryptedCharField) -> models.QuerySet:
    return model._base_manager.filter(**{f"{field.name}__isnull": False}).exclude(**{field.name: ""})


def _sample_problems(model: type[models.Model], field: EncryptedCharField) -> list[str]:
    lookups = [f for f in _lookups_of(model) if f.source == field.name]
    # The stored text itself (no decryption on reading), of the oldest and the newest value: the
    # likeliest to be under an old key and under the current one.
    rows = _filled(model, field).annotate(_sealed=Cast(field.name, models.TextField()))
    names = ["pk", "_sealed", *(f.name for f in lookups)]
    sample = [*rows.order_by("pk").values_list(*names)[:1], *rows.order_by("-pk").values_list(*names)[:1]]
    problems = []
    for pk, sealed, *digests in sample:
        if not sealed.startswith(field_crypto.PREFIX + ":"):
            continue  # stored before its column's migration, which is what seals it: not a matter of keys
        try:
            plain = field_crypto.open_sealed(sealed, field.context)
        except field_crypto.UndecryptableValue as error:
            problems.append(str(error))
            continue
        for lookup, digest in zip(lookups, digests, strict=True):
            if digest != field.lookup_of(plain):
                problems.append(f"The lookup column {model._meta.label}.{lookup.name} of row {pk} was not made "
                                "with FIELD_LOOKUP_KEY: searches by it would find nothing.")
    return problems


def stored_value_problems() -> list[str]:
    """Whether the keys open a stored sample of every encrypted column; [] when the database is not there yet."""
    problems: list[str] = []
    try:
        for model, field in encrypted_columns():
            problems += _sample_problems(model, field)
    except DatabaseError:  # not migrated yet, or not reachable: nothing stored to check
        return []
    return problems


def check_stored_values(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [checks.Error(problem, hint="Set FIELD_ENCRYPTION_KEY (and FIELD_LOOKUP_KEY) to the keys the data "
                                       "was stored with; see the README's Keys paragraph.", id="portal.E101")
            for problem in stored_value_problems()]


def stale_rows(model: type[models.Model], field: EncryptedCharField) -> models.QuerySet:
    """Rows of the column whose value is not sealed under the current key."""
    return (_filled(model, field).annotate(_sealed=Cast(field.name, models.TextField()))
            .exclude(_sealed__startswith=field_crypto.sealed_prefix()))


def reencrypt(model: type[models.Model], field: EncryptedCharField, *, chunk: int = 500,
              progress: Callable[[int], Any] = lambda n: None) -> int:
    """Seal again under the current key every value of the column that is under another; returns how many.

    One transaction per chunk, its rows locked, so a concurrent change is neither lost nor overwritten.
    Running it again finds nothing to do.
    """
    done, after = 0, None
    while True:
        pending = stale_rows(model, field).order_by("pk")
        if after is not None:
            pending = pending.filter(pk__gt=after)
        pks = list(pending.values_list("pk", flat=True)[:chunk])
        if not pks:
            return done
        with transaction.atomic():
            rows = list(model._base_manager.select_for_update().filter(pk__in=pks).only("pk", field.name))
            model._base_manager.bulk_update(rows, [field.name])
        done += len(rows)
        progress(len(rows))
        after = pks[-1]


# --- the migrations that encrypt what was stored in the clear, and back -------------------------


def constraints_checked_now(apps: Any, schema_editor: Any) -> None:
    """Between a data step and a schema change in one migration: PostgreSQL refuses to alter a table
    while checks of deferred foreign keys are pending from the rows just written."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _in_chunks(queryset: models.QuerySet, chunk: int) -> Iterator[list[models.Model]]:
    after = None
    while True:
        page = queryset.order_by("pk") if after is None else queryset.filter(pk__gt=after).order_by("pk")
        rows = list(page[:chunk])
        if not rows:
            return
        yield rows
        after = rows[-1].pk


def seal_column(model: type[models.Model], name: str, context: str, lookup: str = "", chunk: int = 500) -> None:
    """In a migration: encrypt the plain values of `model.name` (a plain text field in the migration's
    state) and fill the plain CharField `lookup` with their digests. Values already sealed are left."""
    filled = model._base_manager.exclude(**{name: ""}).filter(**{f"{name}__isnull": False})
    for rows in _in_chunks(filled.only("pk", name), chunk):
        rows = [row for row in rows if not getattr(row, name).startswith(field_crypto.PREFIX + ":")]
        for row in rows:
            plain = getattr(row, name)
            setattr(row, name, field_crypto.seal(plain, context))
            if lookup:
                setattr(row, lookup, field_crypto.lookup_hash(plain, context))
        model._base_manager.bulk_update(rows, [name, *([lookup] if lookup else [])])


def open_column(model: type[models.Model], name: str, context: str, chunk: int = 500) -> None:
    """The reverse of `seal_column`: write the plain values back."""
    filled = model._base_manager.filter(**{f"{name}__startswith": field_crypto.PREFIX + ":"})
    for rows in _in_chunks(filled.only("pk", name), chunk):
        for row in rows:
            setattr(row, name, field_crypto.open_sealed(getattr(row, name), context))
        model._base_manager.bulk_update(rows, [name])
