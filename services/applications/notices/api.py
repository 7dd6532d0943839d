"""The notices of an application on the API: `GET /api/v1/applications/{id}/notices/` and the download
`GET /api/v1/applications/{id}/notices/{notice}/download/`.

For the applying enterprise's members and the officials entitled to the application
(`selectors.applications_with_notices_for`); anyone else's application is a 404. An application has
a handful of notices, so the list comes whole.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from services.applications.notices.codes import verification_url
from services.applications.notices.models import Notice, NoticeKind
from services.applications.notices.selectors import applications_with_notices_for
from services.applications.notices.views import notice_file

NOTICE_EXAMPLE = {
    "id": 7, "kind": "acceptance", "title": "受理通知书", "issued_at": "2026-12-01T09:05:00+08:00",
    "department": "区住建委", "verification_code": "3F2A-9C1B-77D0-E4A5",
    "verification_url": "https://portal.example.gov.cn/verify/3F2A-9C1B-77D0-E4A5/",
    "download_url": "https://portal.example.gov.cn/api/v1/applications/42/notices/7/download/",
}


class NoticeSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=NoticeKind.choices, read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    verification_code = serializers.CharField(source="display_code", read_only=True, help_text=_(
        "Printed on the notice with its QR code; anyone checks it at verification_url."))
    verification_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text=_("The PDF, for the same caller."))

    class Meta:
        model = Notice
        fields = ["id", "kind", "title", "issued_at", "department", "verification_code", "verification_url",
                  "download_url"]
        read_only_fields = fields

    def get_verification_url(self, notice: Notice) -> str:
        return verification_url(notice.code)

    def get_download_url(self, notice: Notice) -> str:
        path = reverse("application-notice-download", args=[notice.application_id, notice.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class NoticeActions:
    """The notices' actions of the applications' viewset."""

    def _notice_application(self, pk):
        return get_object_or_404(applications_with_notices_for(self.request.user), pk=pk)

    @extend_schema(request=None, responses={200: NoticeSerializer(many=True)}, filters=False, examples=[
        OpenApiExample("The notices of an accepted application", response_only=True, value=NOTICE_EXAMPLE),
    ])
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def notices(self, request, pk=None):
        """The official notices and decisions of the application (受理通知书, 补正材料告知书, …), oldest first."""
        application = self._notice_application(pk)
        notices = application.notices.select_related("department").order_by("issued_at", "id")
        return Response(NoticeSerializer(notices, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=None, filters=False, parameters=[
        OpenApiParameter("notice_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The notice's id."))],
        responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The notice as a PDF attachment."))},
        examples=[OpenApiExample("The PDF (its first bytes)", response_only=True, media_type="application/pdf",
                                 value="%PDF-1.4 …")])
    @action(detail=True, methods=["get"], url_path=r"notices/(?P<notice_id>[0-9]+)/download",
            url_name="notice-download", filterset_class=None, pagination_class=None)
    def notice_download(self, request, pk=None, notice_id=None):
        """The notice's PDF (Content-Disposition: attachment)."""
        application = self._notice_application(pk)
        return notice_file(get_object_or_404(application.notices, pk=notice_id))
