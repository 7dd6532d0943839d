"""Serializers of the applications' API: what a client reads of an application, its tasks and timeline.

`ApplicationDetailSerializer` adds `actions` to one application: what the caller may do with it
now, by `workflow.allowed_actions`, so a client shows a button exactly when the API would accept it.
"""

from django.db.models import Prefetch, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import AuditEvent
from services.applications import representations, workflow
from services.applications.wording import event_label
from services.catalogue.api import DepartmentSerializer
from services.models import Application, DeferredMaterial, Document, State, Task


class TaskSerializer(serializers.ModelSerializer):
    department = DepartmentSerializer(read_only=True)
    kind = serializers.ChoiceField(
        choices=Task.Kind.choices, read_only=True,
        help_text=_("acceptance (受理): take the application in or not; review (审查): one review step."))
    claimed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True,
        help_text=_("Username of the official of the department who holds the task; null while nobody does."))
    claimed_by_name = serializers.SerializerMethodField(help_text=_("The holder's name, for people; null while nobody holds it."))

    class Meta:
        model = Task
        fields = ["id", "kind", "department", "name", "status", "due_date", "order", "comment", "decided_at",
                  "claimed_by", "claimed_by_name", "claimed_at"]
        read_only_fields = fields

    def get_claimed_by_name(self, task: Task) -> str | None:
        holder = task.claimed_by
        return (holder.get_full_name() or holder.get_username()) if holder else None

    def to_representation(self, instance: Task) -> dict:
        # The fields above describe the API; a plain function writes it (representations.py).
        return representations.task(instance)


class DeferredSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code", read_only=True)
    supplied = serializers.SerializerMethodField()

    class Meta:
        model = DeferredMaterial
        fields = ["material", "due_date", "supplied", "due_provisional", "supplied_at", "checked_at"]
        read_only_fields = fields

    def get_supplied(self, deferred: DeferredMaterial) -> bool:
        return deferred.supplied_at is not None

    def to_representation(self, instance: DeferredMaterial) -> dict:
        return representations.deferred(instance)


class ApplicationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(source="state", choices=State.choices, read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    due_date = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField(help_text=_(
        "The review steps. The acceptance (受理) is told by status and acceptance_due; its task is in /tasks/."))
    deferred = DeferredSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id", "reference", "status", "due_date", "dates_provisional", "service", "service_name",
            "enterprise", "form", "received_on", "acceptance_due", "accepted_on", "decision_due",
            "statutory_due", "decided_on", "created_at", "tasks", "deferred",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due_date(self, application: Application):
        """The next date that matters: the decision's once accepted, else the acceptance's."""
        due = application.decision_due or application.acceptance_due
        return due.isoformat() if due else None

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, application: Application) -> list[dict]:
        return TaskSerializer(application.review_tasks(), many=True, context=self.context).data

    def to_representation(self, instance: Application) -> dict:
        # What the fields above describe, written without building them per row (representations.py).
        return representations.application(instance)


FORM_HELP = _(
    "The answers of the item's application form (its `form_fields` in /services/), by key: text and dates "
    "(YYYY-MM-DD) as strings, numbers as numbers, a choice as an option's value (a list of them where several "
    "may be chosen), a table as a list of row objects (200 rows at most). Types, bounds, patterns, options and "
    "unknown keys are checked whenever the form is stored; required answers at submission. A refusal is a 400 "
    "naming each answer: `errors` {\"form.floor_area\": […], \"form.staff[1].health_certificate\": […]}. An item "
    "without form fields takes any object.")


class ApplicationCreateSerializer(serializers.Serializer):
    service = serializers.CharField(label=_("service item code"))
    enterprise = serializers.IntegerField(label=_("enterprise id"))
    form = serializers.JSONField(required=False, default=dict, label=_("form"), help_text=FORM_HELP)


class ApplicationFormSerializer(serializers.Serializer):
    form = serializers.JSONField(label=_("form"), help_text=format_lazy("{} {}", _("Replaces the stored answers."),
                                                                        FORM_HELP))


class ReuseSerializer(serializers.Serializer):
    document = serializers.IntegerField(label=_("earlier document"), help_text=_(
        "Id of a document of an earlier application of the same enterprise, from documents/reusable/."))
    material = serializers.CharField(required=False, allow_blank=True, default="", label=_("material code"), help_text=_(
        "The material of this application it stands for; by default the earlier document's material code."))


class DocumentUploadSerializer(serializers.Serializer):
    material = serializers.CharField(label=_("material code"))
    file = serializers.FileField(label=_("file"))


class DocumentSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code", read_only=True)
    reused_from = serializers.IntegerField(source="reused_from_id", read_only=True, allow_null=True, help_text=_(
        "免提交: the id of the earlier document whose file this one reuses; null for an upload."))
    supplied_at = serializers.DateTimeField(source="original.uploaded_at", read_only=True, help_text=_(
        "When the file was first supplied: the earlier document's upload for a reused one."))

    class Meta:
        model = Document
        fields = ["id", "material", "original_name", "uploaded_at", "reused_from", "supplied_at"]
        read_only_fields = fields


class ReusableDocumentSerializer(serializers.ModelSerializer):
    """A material of an earlier application of the enterprise that may be reused (免提交)."""

    material = serializers.CharField(source="material.code", read_only=True)
    material_name = serializers.CharField(source="material.name", read_only=True)
    name = serializers.CharField(source="original.original_name", read_only=True)
    application = serializers.CharField(source="original.application.reference", read_only=True, help_text=_(
        "The reference of the application the file was first supplied in."))
    supplied_at = serializers.DateTimeField(source="original.uploaded_at", read_only=True)

    class Meta:
        model = Document
        fields = ["id", "material", "material_name", "name", "application", "supplied_at"]
        read_only_fields = fields


class SubmitSerializer(serializers.Serializer):
    deferred_materials = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, label=_("materials supplied later")
    )
    commitment_accepted = serializers.BooleanField(required=False, default=False, label=_("commitment accepted"))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("reason"))


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    label = serializers.SerializerMethodField(help_text=_("The event in words, in the request's language."))

    class Meta:
        model = AuditEvent
        fields = ["at", "action", "label", "from_state", "to_state", "reason", "actor"]
        read_only_fields = fields

    def get_label(self, event: AuditEvent) -> str:
        return event_label(event.action)


class QueueTaskSerializer(TaskSerializer):
    application = serializers.IntegerField(source="application_id", read_only=True)
    reference = serializers.CharField(source="application.reference", read_only=True)
    service = serializers.CharField(source="application.service.code", read_only=True)
    enterprise = serializers.CharField(source="application.enterprise.name", read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "application", "reference", "service", "enterprise"]
        read_only_fields = fields

    def to_representation(self, instance: Task) -> dict:
        return representations.queue_task(instance)


class CheckDeferredSerializer(serializers.Serializer):
    material = serializers.CharField(label=_("material code"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason"), allow_blank=True, max_length=2000)


class CorrectionItemsSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(max_length=500), max_length=50,
                                  label=_("items to correct"))


class ReassignSerializer(serializers.Serializer):
    to = serializers.IntegerField(label=_("colleague"), help_text=_("User id of an active official of the task's department."))


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=workflow.DECISIONS, label=_("decision"))
    comment = serializers.CharField(required=False, allow_blank=True, default="", label=_("comment"))


class ApplicationActionsSerializer(serializers.Serializer):
    """What the caller may do with the application now (`workflow.allowed_actions`).

    Each action listed is accepted if tried now (its input is still checked: 400); any other
    answers 409 (not in this status) or 404 (not the caller's). `application`: actions on the
    application itself, among `attach` (POST documents/ and documents/reuse/), `edit_form` (PATCH
    with `form`), `submit`, `resubmit`, `withdraw` and
    `supply` (a deferred material) for the enterprise's members, and `accept`, `check` (a supplied
    deferred material), `request_correction`, `refuse`, `extend`, `complete`, `suspend`, `revoke`
    for the officials of the item's lead department. `tasks`: ids of the tasks the caller may
    decide (POST /tasks/{id}/decide/; a task someone holds, only its holder): the acceptance task
    of a submitted application, whose decisions are those of `accept`, `request_correction` and
    `refuse`, or review tasks. `deferred`: codes of the deferred materials the caller may supply
    or check now.
    """

    application = serializers.ListField(child=serializers.CharField(), read_only=True)
    tasks = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    deferred = serializers.ListField(child=serializers.CharField(), read_only=True)


class AttachedDocumentSerializer(serializers.ModelSerializer):
    """A file attached to the application: what a client needs to know what is still missing."""

    material = serializers.CharField(source="material.code", read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    size = serializers.SerializerMethodField(help_text=_("Bytes; null when the stored file cannot be read."))
    reused_from = serializers.IntegerField(source="reused_from_id", read_only=True, allow_null=True, help_text=_(
        "免提交: the id of the earlier document whose file this one reuses; null for an upload."))
    supplied_at = serializers.DateTimeField(source="original.uploaded_at", read_only=True, help_text=_(
        "When the file was first supplied: the earlier document's upload for a reused one."))

    class Meta:
        model = Document
        fields = ["id", "material", "name", "size", "uploaded_at", "reused_from", "supplied_at"]
        read_only_fields = fields

    def get_size(self, document: Document) -> int | None:
        try:
            return document.file.size
        except OSError:
            return None

    def to_representation(self, instance: Document) -> dict:
        return representations.attached_document(instance)


class ApplicationDetailSerializer(ApplicationSerializer):
    actions = serializers.SerializerMethodField()
    documents = AttachedDocumentSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "documents", "actions"]
        read_only_fields = fields

    def to_representation(self, instance: Application) -> dict:
        return {**representations.application(instance),
                "documents": [representations.attached_document(row) for row in instance.documents.all()],
                "actions": self.get_actions(instance)}

    @extend_schema_field(ApplicationActionsSerializer)
    def get_actions(self, application: Application) -> dict[str, list]:
        allowed = workflow.allowed_actions(self.context["request"].user, application)
        return {
            "application": list(allowed.application),
            "tasks": [task.pk for task in allowed.tasks],
            "deferred": [deferred.material.code for deferred in allowed.deferred],
        }


def with_details(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Everything ApplicationSerializer reads, fetched in a fixed number of queries."""
    return applications.select_related("service", "enterprise").prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("department", "claimed_by")),
        Prefetch("deferred", queryset=DeferredMaterial.objects.select_related("material")),
    )
