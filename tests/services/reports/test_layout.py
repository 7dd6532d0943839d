"""The reports' code keeps the project's shape: who sees what is asked of the kernel, modules stay short."""

from tests.services.applications.test_applications_layout import MAX_LINES, ROOT, imported, modules

REPORTS = ROOT / "services" / "reports"


def test_the_reports_ask_the_access_module_and_the_selectors_who_sees_what():
    for path in modules(REPORTS):
        text = path.read_text(encoding="utf-8")
        assert "is_superuser" not in text and "is_staff" not in text, path
        assert not any(name.split(".")[0] == "talent" for name in imported(path)), path


def test_no_module_of_the_reports_is_over_400_lines():
    long = {path.name: length for path in modules(REPORTS)
            if (length := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
