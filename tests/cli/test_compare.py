"""``buildtrace compare``: results on disk and a plain-language summary; bad input exits 2 with one line."""

import json

from click.testing import CliRunner
from fixtures.files import png_header_only

from buildtrace_assets.cli import main
from buildtrace_assets.samples import make_revision_pair


def test_compare_writes_changes_overlays_and_a_summary(tmp_path):
    pair = make_revision_pair(tmp_path / "in", seed=1, n_sheets=3)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["compare", str(pair.old_path), str(pair.new_path), "--out", str(out), "--dpi", "100"]
    )
    assert result.exit_code == 0, result.output
    assert str(out / "changes.json") in result.output
    document = json.loads((out / "changes.json").read_text())
    assert document["schema"] == "buildtrace.changes/v1"
    assert (out / "summary.md").read_text().strip()
    assert any((out / s["overlay"]).is_file() for s in document["sheets"] if "overlay" in s)


def test_a_missing_file_exits_2_with_a_one_line_reason(tmp_path):
    result = CliRunner().invoke(
        main, ["compare", str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "no such file" in result.output
    assert "Traceback" not in result.output


def test_a_corrupt_pdf_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 garbage")
    result = CliRunner().invoke(main, ["compare", str(bad), str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and result.output.startswith("error: ")
    assert not (tmp_path / "o" / "changes.json").exists()


def test_a_decompression_bomb_exits_2_with_one_line_and_no_traceback(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_only(60000, 60000))
    result = CliRunner().invoke(main, ["compare", str(bomb), str(bomb), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert (
        result.output
        == "error: bomb.png: an image of 60,000 x 60,000 pixels (3,600 megapixels); the limit is 200 megapixels\n"
    )
