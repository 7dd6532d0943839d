"""Fixtures of the catalogue's tests: material templates kept in the test's folder, the departments."""

import pytest
from django.core.files.storage import FileSystemStorage

from portal.management.commands.seed_demo import DEPARTMENTS
from services.models import Department, MaterialRequirement


@pytest.fixture(autouse=True)
def template_storage(monkeypatch, private_media):
    # The model's storage was built at import, with the real PRIVATE_MEDIA_ROOT: keep test files out of it.
    field = MaterialRequirement._meta.get_field("template")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=private_media))


@pytest.fixture
def all_departments(db) -> dict[str, Department]:
    return {
        code: Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})[0]
        for code, name, name_en in DEPARTMENTS
    }
