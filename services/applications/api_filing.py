"""The guided filing on the API: a file removed or replaced, and the rehearsal (办前预演) of a submission.

Mixed into `ApplicationViewSet` (`api.py`), so the caller's applications are those of its
enterprises and another's is a 404; the rules are the workflow's (`workflow/documents.py`,
`workflow/rehearsal.py`).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from portal.core.api.schema import ERROR_DESCRIPTIONS, ErrorSerializer
from portal.core.errors import IllegalTransition
from services.applications import workflow
from services.applications.serializers import DocumentSerializer
from services.models import Document, State

REHEARSAL_EXAMPLE = {
    "today": "2026-03-02", "mode": "deferred", "approved_on_the_spot": False,
    "acceptance_due": {"date": "2026-03-09", "provisional": False},
    "decision_due": {"date": "2026-03-23", "provisional": False},
    "statutory_due": {"date": "2026-04-07", "provisional": False},
    "provisional_years": [],
    "missing": [{"kind": "field", "key": "floor_area", "label": "经营场所面积", "message": "此项为必填项。"}],
    "deferred_materials": [{"material": "lease", "name": "租赁合同", "due_date": "2026-03-16", "provisional": False}],
    "credit_bar": "", "item_notes": [], "post_check_rule": "", "needs_commitment": True, "ready": False,
}


class DueDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    provisional = serializers.BooleanField(help_text=_(
        "The date rests on a calendar year whose official holiday schedule is not published yet."))


class MissingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["field", "material", "other"], help_text=_(
        "`field`: an answer of the form (`key` its path under `form`); `material`: a material (`key` its code); "
        "`other`: another condition (`key` the field at fault)."))
    key = serializers.CharField()
    label = serializers.CharField()
    message = serializers.CharField()


class DeferredDueSerializer(serializers.Serializer):
    material = serializers.CharField(source="code")
    name = serializers.CharField()
    due_date = serializers.DateField(source="due.date")
    provisional = serializers.BooleanField(source="due.provisional")


class RehearsalSerializer(serializers.Serializer):
    today = serializers.DateField()
    mode = serializers.CharField()
    approved_on_the_spot = serializers.BooleanField()
    acceptance_due = DueDateSerializer(allow_null=True)
    decision_due = DueDateSerializer(allow_null=True, help_text=_(
        "The promised decision date at the latest: counted from the last day for acceptance."))
    statutory_due = DueDateSerializer(allow_null=True)
    provisional_years = serializers.ListField(child=serializers.IntegerField())
    missing = MissingSerializer(many=True)
    deferred_materials = DeferredDueSerializer(source="deferred", many=True)
    credit_bar = serializers.CharField(help_text=_("Why the credit list bars this submission; empty if it does not."))
    item_notes = serializers.ListField(child=serializers.CharField(), help_text=_(
        "What the item adds, e.g. the grants left of a talent policy's quota."))
    post_check_rule = serializers.CharField(help_text=_(
        "Commitment mode: how many approvals are checked afterwards (the rule, never this application's draw)."))
    needs_commitment = serializers.BooleanField()
    ready = serializers.BooleanField()


class ReplaceSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("file"))


def _error(code: int) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])


class FilingActions:
    """Remove or replace an attached file; rehearse the submission."""

    @extend_schema(request=None, responses={204: None, 400: _error(400), 409: _error(409)})
    @action(detail=True, methods=["delete"], url_path=r"documents/(?P<document_id>[0-9]+)")
    def remove_document(self, request, pk=None, document_id=None):
        """Take a file out of the list of a draft or an application under correction; the timeline keeps it
        (`Material removed`). In another state: 409."""
        application = self.get_object()
        workflow.remove_document(request.user, application.pk, document_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request={"multipart/form-data": ReplaceSerializer}, responses={
        201: DocumentSerializer, 409: _error(409)}, examples=[
        OpenApiExample("The new file (multipart)", request_only=True, media_type="multipart/form-data",
                       value={"file": "租赁合同（续签）.pdf"}),
        OpenApiExample("The new document", response_only=True, status_codes=["201"], value={
            "id": 58, "material": "lease", "original_name": "租赁合同（续签）.pdf", "uploaded_at": "2026-03-02T10:15:00+08:00",
            "reused_from": None, "supplied_at": "2026-03-02T10:15:00+08:00"}),
    ])
    @action(detail=True, methods=["post"], url_path=r"documents/(?P<document_id>[0-9]+)/replace",
            parser_classes=[MultiPartParser, FormParser])
    def replace_document(self, request, pk=None, document_id=None):
        """Put a new file in the place of one in the list, for the same material (draft or under correction);
        the timeline keeps the old one. The new file is checked like any upload."""
        application = self.get_object()
        payload = ReplaceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        document = workflow.replace_document(request.user, application.pk, document_id, payload.validated_data["file"])
        document = Document.objects.select_related("material", "reused_from").get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RehearsalSerializer, 409: _error(409)}, filters=False, examples=[
        OpenApiExample("A deferred-mode draft with one answer missing", response_only=True, value=REHEARSAL_EXAMPLE),
    ])
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def rehearsal(self, request, pk=None):
        """办前预演: what submitting the draft today would record (dates from the working-day calendar) and
        refuse, changing nothing. Only for a draft (409 otherwise), only to the applying enterprise's members."""
        application = self.get_object()
        if application.state != State.DRAFT:
            raise IllegalTransition(_("Only a draft can be rehearsed."), current_state=application.state,
                                    action="rehearsal")
        return Response(RehearsalSerializer(workflow.rehearse_submission(application)).data)
