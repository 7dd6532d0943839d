"""The examples of the applications' API in its OpenAPI schema (`api.py` shows them).

Plain data in the contract's field names, so a reader of /api/docs/ sees real-looking
applications, tasks and timelines of each approval mode.
"""

from drf_spectacular.utils import OpenApiExample

APPLICATION_EXAMPLE = {
    "id": 42, "reference": "FT-2026-000042", "status": "submitted", "due_date": "2026-12-03",
    "dates_provisional": False, "service": "ZJW-001", "service_name": "建设工程规划许可", "enterprise": 3,
    "form": {"area": 120}, "received_on": "2026-11-30", "acceptance_due": "2026-12-03", "accepted_on": None,
    "decision_due": None, "statutory_due": None, "decided_on": None,
    "created_at": "2026-11-30T09:15:00+08:00", "tasks": [], "deferred": [],
}
DRAFT_EXAMPLE = {**APPLICATION_EXAMPLE, "status": "draft", "due_date": None, "received_on": None,
                 "acceptance_due": None}
DEPARTMENT_EXAMPLE = {"code": "ZJW", "name": "区住建委",
                      "name_en": "District Housing and Urban-Rural Development Commission"}
TASK_EXAMPLE = {"id": 57, "kind": "review", "department": DEPARTMENT_EXAMPLE, "name": "规划方案审查（牵头）",
                "status": "open", "due_date": "2026-12-14", "order": 1, "comment": "", "decided_at": None,
                "claimed_by": None, "claimed_by_name": None, "claimed_at": None}
IN_REVIEW_EXAMPLE = {**APPLICATION_EXAMPLE, "status": "in_review", "due_date": "2026-12-14",
                     "accepted_on": "2026-12-01", "decision_due": "2026-12-14", "statutory_due": "2026-12-29",
                     "tasks": [{**TASK_EXAMPLE, "status": "approved", "comment": "材料齐全",
                                "decided_at": "2026-12-02T10:30:00+08:00"}]}
ACCEPTED_EXAMPLE = {**IN_REVIEW_EXAMPLE, "status": "accepted", "tasks": [TASK_EXAMPLE]}
DEFERRED_EXAMPLE = {"material": "security-assessment", "due_date": "2026-12-14", "supplied": False,
                    "due_provisional": False, "supplied_at": None, "checked_at": None}
SUPPLIED_EXAMPLE = {**DEFERRED_EXAMPLE, "supplied": True, "supplied_at": "2026-12-05T14:00:00+08:00"}
PENDING_DOCUMENTS_EXAMPLE = {
    **IN_REVIEW_EXAMPLE, "service": "FT-ZW-0003", "service_name": "公共数据有条件开放申请", "form": {},
    "status": "approved_pending_documents", "decided_on": "2026-12-03", "deferred": [SUPPLIED_EXAMPLE],
}
CHECKED_EXAMPLE = {**PENDING_DOCUMENTS_EXAMPLE, "status": "approved",
                   "deferred": [{**SUPPLIED_EXAMPLE, "checked_at": "2026-12-06T09:10:00+08:00"}]}
# `actions`: what the caller may do now (a submitted application can only be withdrawn by its clerk).
DETAIL_EXAMPLE = {**APPLICATION_EXAMPLE, "documents": [
    {"id": 310, "material": "application-form", "name": "申请表.pdf", "size": 48213,
     "uploaded_at": "2026-12-01T09:30:00+08:00", "reused_from": None, "supplied_at": "2026-12-01T09:30:00+08:00"},
], "actions": {"application": ["withdraw"], "tasks": [], "deferred": []}}
TO_SUPPLY_EXAMPLE = {
    **PENDING_DOCUMENTS_EXAMPLE, "deferred": [DEFERRED_EXAMPLE],
    "actions": {"application": ["supply"], "tasks": [], "deferred": ["security-assessment"]},
}
DOCUMENT_EXAMPLE = {"id": 311, "material": "lease", "original_name": "租赁合同.pdf",
                    "uploaded_at": "2026-11-30T09:20:00+08:00", "reused_from": None,
                    "supplied_at": "2026-11-30T09:20:00+08:00"}
# 免提交: the lease supplied in FT-2026-000017 in March, reused in a new application.
REUSABLE_EXAMPLE = [{"id": 41, "material": "lease", "material_name": "租赁合同", "name": "租赁合同.pdf",
                     "application": "FT-2026-000017", "supplied_at": "2026-03-02T10:15:00+08:00"}]
REUSED_EXAMPLE = {**DOCUMENT_EXAMPLE, "reused_from": 41, "supplied_at": "2026-03-02T10:15:00+08:00"}
FORM_ERROR_EXAMPLE = OpenApiExample("Answers of the form refused", response_only=True, status_codes=["400"], value={
    "code": "invalid", "message": "form.floor_area: At least 10.", "field": "form.floor_area",
    "errors": {"form.floor_area": ["At least 10."],
               "form.staff[1].health_certificate": ["Enter the number of the health certificate, e.g. JK2026-0001."],
               "form.colour": ["This form has no field “colour”."]},
})
EVENT_EXAMPLE = {"at": "2026-12-01T09:05:00+08:00", "action": "application.accepted", "label": "予以受理",
                 "from_state": "submitted",
                 "to_state": "accepted", "reason": "", "actor": "official_zjw"}
QUEUE_TASK_EXAMPLE = {**TASK_EXAMPLE, "application": 42, "reference": "FT-2026-000042", "service": "ZJW-001",
                      "enterprise": "北京丰泽智能科技有限公司"}
# A new submission in the lead department's queue: its acceptance (受理), due with the acceptance deadline.
QUEUE_ACCEPTANCE_EXAMPLE = {**QUEUE_TASK_EXAMPLE, "id": 56, "kind": "acceptance", "name": "受理", "order": 0,
                            "due_date": "2026-12-03"}
# Multipart bodies: the file part is the file itself; the schema shows it as its name.
UPLOAD_EXAMPLE = OpenApiExample("One material's file (multipart)", request_only=True, media_type="multipart/form-data",
                                value={"material": "lease", "file": "租赁合同.pdf"})
CLAIMED_TASK_EXAMPLE = {**QUEUE_TASK_EXAMPLE, "claimed_by": "official_zjw", "claimed_by_name": "王审批",
                        "claimed_at": "2026-12-02T09:40:00+08:00"}
SUSPENDED_EXAMPLE = {**PENDING_DOCUMENTS_EXAMPLE, "status": "suspended"}
