"""The shape of the code the applications rely on: imports point down, modules stay readable."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
APPLICATIONS = ROOT / "services" / "applications"
MAX_LINES = 400


def modules(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if "migrations" not in path.parts)


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_never_import_talent():
    """Talent builds on the services (their workflow's extension registry), never the other way."""
    upward = {str(path.relative_to(ROOT)): sorted(name for name in imported(path) if name.split(".")[0] == "talent")
              for path in modules(ROOT / "services")}
    assert {path: names for path, names in upward.items() if names} == {}


def test_who_is_an_official_is_asked_of_the_access_module_only():
    reads = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in modules(APPLICATIONS)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (isinstance(node, ast.Attribute) and node.attr in ("is_staff", "is_superuser"))
        or (isinstance(node, ast.keyword) and node.arg in ("is_staff", "is_superuser"))
    ]
    assert reads == []


def test_no_module_of_the_applications_is_over_400_lines():
    long = {str(path.relative_to(ROOT)): length for path in modules(APPLICATIONS)
            if (length := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
