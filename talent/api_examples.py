"""Examples of the talent API in its OpenAPI schema: what a client sees, in the domain's words."""

from drf_spectacular.utils import OpenApiExample

POLICY_EXAMPLE = {
    "code": "FC01", "title": "青年人才安居补贴", "benefit": "每月2000元，最长36个月",
    "eligibility": {"rules": {"max_age": 35, "min_education": "master"},
                    "conditions": ["Aged 35 or under", "Master's degree or higher"]},
    "quota_remaining": 118, "id": 1, "benefit_kind": "housing", "amount": "2000.00", "annual_quota": 200,
    "annual_budget": None, "budget_remaining": None, "opens_on": None, "closes_on": None, "service": "FC01",
}
WAITING_LIST_EXAMPLE = {
    "policy": "FC01", "year": 2026, "grants_left": 1, "count": 2,
    "entries": [{"position": 2, "application": 57, "reference": "FT-2026-000057", "enterprise": 3,
                 "talent": "欧阳明", "received_on": "2026-11-30", "decidable": False}],
}
TALENT_REQUEST_EXAMPLE = {
    "enterprise": 3, "name": "欧阳明", "id_number": "110105199005200021", "education": "doctorate",
    "title": "高级工程师", "field": "人工智能", "tier": "C", "returnee": True, "started_on": "2024-01-01",
}
TALENT_EXAMPLE = {
    "id": 12, **{key: value for key, value in TALENT_REQUEST_EXAMPLE.items() if key != "id_number"},
    "id_number_masked": "110105********0021", "birth_date": "1990-05-20", "age": 36, "gender": "female",
    "created_at": "2026-11-30T09:30:00+08:00", "updated_at": "2026-11-30T09:30:00+08:00",
}
TALENT_EXAMPLES = [
    OpenApiExample("A profile", request_only=True, value=TALENT_REQUEST_EXAMPLE),
    OpenApiExample("The profile, its ID number masked", response_only=True, status_codes=["200", "201"],
                   value=TALENT_EXAMPLE),
]
