"""Examples of the ratings' and rectifications' API, shown in the OpenAPI schema."""

DEPARTMENT = {"code": "ZJW", "name": "区住建委", "name_en": "District Housing and Construction Commission"}

OPEN_RECTIFICATION = {
    "id": 7, "status": "open", "opened_on": "2026-09-21", "due_date": "2026-10-19", "due_provisional": False,
    "outcome": "", "closed_at": None,
}
CLOSED_RECTIFICATION = {
    **OPEN_RECTIFICATION, "status": "closed", "outcome": "经核查，窗口告知不清；已修订办事指南并对窗口人员培训。",
    "closed_at": "2026-10-12T15:20:00+08:00",
}

BAD_RATING = {
    "round": 1, "score": 2, "label": "不满意", "comment": "材料要求前后说法不一，跑了两趟。", "final": False,
    "department": DEPARTMENT, "rated_by": "clerk1", "rated_at": "2026-09-21T10:05:00+08:00",
    "rectification": OPEN_RECTIFICATION,
}
GOOD_RATING = {
    "round": 1, "score": 5, "label": "非常满意", "comment": "", "final": False, "department": DEPARTMENT,
    "rated_by": "clerk1", "rated_at": "2026-09-21T10:05:00+08:00", "rectification": None,
}

NOT_RATED = {"may_rate": True, "ratings": []}
RATED_BADLY = {"may_rate": False, "ratings": [BAD_RATING]}
RATED_WELL = {"may_rate": False, "ratings": [GOOD_RATING]}
RECTIFIED = {"may_rate": True, "ratings": [{**BAD_RATING, "rectification": CLOSED_RECTIFICATION}]}
RATED_AGAIN = {"may_rate": False, "ratings": [
    {**BAD_RATING, "rectification": CLOSED_RECTIFICATION},
    {**GOOD_RATING, "round": 2, "score": 4, "label": "满意", "final": True, "rated_at": "2026-10-13T09:00:00+08:00"},
]}

RECTIFICATION = {
    "id": 7, "application": 42, "reference": "FT-2026-000042", "service": "FT-ZJ-0001",
    "enterprise": "北京丰台示例科技有限公司", "department": DEPARTMENT,
    "rating": {"round": 1, "score": 2, "label": "不满意", "comment": "材料要求前后说法不一，跑了两趟。",
               "rated_at": "2026-09-21T10:05:00+08:00"},
    "status": "open", "opened_on": "2026-09-21", "due_date": "2026-10-19", "due_provisional": False,
    "overdue": False, "outcome": "", "closed_by": None, "closed_at": None,
}
CLOSED = {
    **RECTIFICATION, "status": "closed", "outcome": CLOSED_RECTIFICATION["outcome"], "closed_by": "official_zjw",
    "closed_at": CLOSED_RECTIFICATION["closed_at"],
}
