"""``buildtrace compare`` on DWG drawings: results like any drawing; an unusable DWG exits 2 with one line."""

import json

import pytest
from click.testing import CliRunner
from fixtures.dwg import nested_blocks_dwg, password_protected, sheet_dwg, with_version

from buildtrace_assets.cli import main


def test_two_dwg_revisions_are_compared_sheet_by_sheet(tmp_path):
    old = sheet_dwg(tmp_path / "rev1.dwg")
    new = sheet_dwg(tmp_path / "rev2.dwg", extra_circle=True)

    result = CliRunner().invoke(main, ["compare", str(old), str(new), "--out", str(tmp_path / "out"), "--dpi", "72"])

    assert result.exit_code == 0, result.output
    (sheet,) = json.loads((tmp_path / "out" / "changes.json").read_text())["sheets"]
    assert (sheet["sheet_number"], sheet["status"]) == ("A-101", "modified")
    assert [change["kind"] for change in sheet["changes"]] == ["added"]


@pytest.mark.parametrize("damage", ["r13-older", "password", "bomb"])
def test_an_unusable_dwg_exits_2_with_one_line_and_writes_nothing(tmp_path, damage):
    good = sheet_dwg(tmp_path / "good.dwg")
    bad = tmp_path / "bad.dwg"
    if damage == "bomb":
        nested_blocks_dwg(bad, depth=8, fanout=10)
    else:
        data = good.read_bytes()
        bad.write_bytes(with_version(data, "AC1009") if damage == "r13-older" else password_protected(data))

    result = CliRunner().invoke(main, ["compare", str(good), str(bad), "--out", str(tmp_path / "out")])

    assert result.exit_code == 2
    assert result.output.startswith("error: bad.dwg: ") and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "changes.json").exists()
