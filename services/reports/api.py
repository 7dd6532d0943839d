"""The exports on the API, for officials: /api/v1/exports/applications/ and /api/v1/exports/decisions/.

`?format=csv` or `?format=xlsx`, with the filters of the applications list (`status`, `mode`,
`service`, `reference`, `enterprise`, `created_*`, `decided_*`, `due_*`). The rows are the
applications the caller sees (`applications_visible_to`): their departments' for an official,
none for anyone else (an empty file, as their queue is an empty list). `format` names the file's
format here, not a renderer of the API, so errors still answer in JSON.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from portal.core.api.schema import ERROR_DESCRIPTIONS, ErrorSerializer
from services.applications.filters import ApplicationFilterSet
from services.applications.selectors import applications_visible_to
from services.reports.exports import FORMATS, export, filters_of

CSV_APPLICATIONS = (
    "Reference,Enterprise,Unified social credit code,Service item code,Service item,Approval mode,Lead department,"
    "Status,Received on,Accepted on,Decision due (promised),Statutory limit,Decided on,Deadline warning,Talent,"
    "Talent's ID number (masked)\r\n"
    "FT-2026-000123,北京示例科技有限公司,91110106MA01FTCC3R,FT-KX-0002,专精特新中小企业认定,Standard approval,区科信局,"
    "Approved,2026-12-01,2026-12-02,2026-12-16,2026-12-30,2026-12-09,on time,,\r\n"
)
CSV_DECISIONS = (
    "Reference,Service item,Enterprise,Department,Task kind,Step,Decision,Decided by,Decided at,Due,Comment\r\n"
    "FT-2026-000123,专精特新中小企业认定,北京示例科技有限公司,区科信局,Review,初审,Approved,official_kxj,"
    "2026-12-09 10:05,2026-12-16,材料齐全\r\n"
)
XLSX_NOTE = "(an XLSX workbook: one sheet, the same columns as the CSV)"


class FileFormatNegotiation(BaseContentNegotiation):
    """`?format=` chooses the export's file, not the API's renderer: every answer but the file is JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _documented(kind: str, csv_example: str):
    return extend_schema(
        operation_id=f"exports_{kind}_list",
        filters=True,
        parameters=[OpenApiParameter("format", str, OpenApiParameter.QUERY, required=True, enum=list(FORMATS),
                                     description="csv (UTF-8 with a byte-order mark) or xlsx")],
        responses={
            (200, FORMATS["csv"].split(";")[0]): OpenApiTypes.STR,
            (200, FORMATS["xlsx"]): OpenApiTypes.BINARY,
            400: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[400]),
        },
        examples=[
            OpenApiExample(f"The {kind} as CSV", value=csv_example, response_only=True, media_type="text/csv"),
            OpenApiExample(f"The {kind} as XLSX", value=XLSX_NOTE, response_only=True, media_type=FORMATS["xlsx"]),
        ],
    )


class ApplicationExportViewSet(viewsets.GenericViewSet):
    """The applications the caller sees, filtered as the applications list, as one file.

    Column headers and labels in the request's language; ID numbers masked; every export is
    recorded in the audit trail with the caller, the filters and the number of rows.
    """

    kind = "applications"
    filterset_class = ApplicationFilterSet
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileFormatNegotiation
    pagination_class = None

    def get_queryset(self):
        return applications_visible_to(self.request.user)

    @_documented("applications", CSV_APPLICATIONS)
    def list(self, request, *args, **kwargs):
        applications = self.filter_queryset(self.get_queryset())
        exported = export(request.user, self.kind, request.query_params.get("format", ""), applications,
                          filters=filters_of(request.query_params), source="api")
        return exported.response()


class DecisionExportViewSet(ApplicationExportViewSet):
    """The decisions (acceptance and review steps approved, rejected or returned) taken on the
    applications the caller sees, filtered as the applications list, as one file."""

    kind = "decisions"

    @_documented("decisions", CSV_DECISIONS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
