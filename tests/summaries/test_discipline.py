import pytest

from buildtrace_assets.summaries.discipline import discipline_of


@pytest.mark.parametrize(
    ("sheet", "discipline"),
    [
        ("A-101", "architectural"),
        ("AD-101", "architectural"),
        ("S2.01", "structural"),
        ("M-201", "mechanical"),
        ("E-001", "electrical"),
        ("P-101", "plumbing"),
        ("C-100", "civil"),
        ("L-1", "landscape"),
        ("FP-101", "fire_protection"),
        ("FA-101", "fire_alarm"),
        ("G-000", "general"),
        ("101", "general"),
        ("X-101", "general"),
        (None, "general"),
    ],
)
def test_discipline_follows_the_sheet_number_prefix(sheet, discipline):
    assert discipline_of(sheet) == discipline
