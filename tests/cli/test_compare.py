"""``buildtrace compare``: results on disk and a plain-language summary; bad input exits 2 with one line."""

import json

import pytest
from click.testing import CliRunner
from fixtures.drawings import SPARSE_CORNERS, SPARSE_REPLOT, picked_points, sparse_sheet
from fixtures.files import png_header_only
from fixtures.openai_server import FakeOpenAIServer, Reply, chat_completion

from buildtrace_assets.cli import main
from buildtrace_assets.config import get_settings
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


def compare_with_openai(tmp_path, monkeypatch, server: FakeOpenAIServer):
    """``buildtrace compare`` on a one-sheet pair with the OpenAI summarizer configured to ``server``."""
    pair = make_revision_pair(tmp_path / "in", seed=1, n_sheets=1)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("BUILDTRACE_SUMMARIZER", "auto")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            main, ["compare", str(pair.old_path), str(pair.new_path), "--out", str(tmp_path / "out"), "--dpi", "72"]
        )
    finally:
        get_settings.cache_clear()


def test_with_an_openai_key_the_summary_is_written_by_the_configured_model(tmp_path, monkeypatch, openai_server):
    reply = {"summary": "The model read these sheets.", "items": []}
    openai_server.enqueue(Reply(body=chat_completion(json.dumps(reply))))

    result = compare_with_openai(tmp_path, monkeypatch, openai_server)

    assert result.exit_code == 0, result.output
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "The model read these sheets." in summary and "gpt-4.1-mini" in summary
    assert len(openai_server.requests) == 1


def test_when_the_model_fails_the_offline_summary_is_written_and_the_reason_said(tmp_path, monkeypatch, openai_server):
    result = compare_with_openai(tmp_path, monkeypatch, openai_server)

    assert result.exit_code == 0, result.output
    assert "warning: the openai summarizer failed" in result.stderr
    assert "offline summarizer" in (tmp_path / "out" / "summary.md").read_text()


def _align_option(sheet: str, points) -> str:
    return sheet + ":" + ";".join(f"{o[0]:.2f},{o[1]:.2f}={n[0]:.2f},{n[1]:.2f}" for o, n in points)


def test_align_compares_a_sheet_the_automatic_alignment_fails_on_by_the_given_points(tmp_path):
    old = sparse_sheet(tmp_path / "old.pdf")
    new = sparse_sheet(tmp_path / "new.pdf", SPARSE_REPLOT, added_line=True)
    align = _align_option("page-1", picked_points(SPARSE_REPLOT, *SPARSE_CORNERS))

    plain = CliRunner().invoke(main, ["compare", str(old), str(new), "--out", str(tmp_path / "auto")])
    aligned = CliRunner().invoke(
        main, ["compare", str(old), str(new), "--out", str(tmp_path / "out"), "--dpi", "100", "--align", align]
    )

    assert plain.exit_code == 0 and aligned.exit_code == 0, aligned.output
    [automatic] = json.loads((tmp_path / "auto" / "changes.json").read_text())["sheets"]
    assert automatic["error"]["kind"] == "unaligned"
    assert "warning: sheet page-1 could not be aligned" in plain.stderr and '--align "page-1:' in plain.stderr
    [sheet] = json.loads((tmp_path / "out" / "changes.json").read_text())["sheets"]
    assert sheet["alignment"]["source"] == "manual" and len(sheet["alignment"]["points"]) == 2
    assert [change["kind"] for change in sheet["changes"]] == ["added"]
    assert "error" not in sheet and (tmp_path / "out" / sheet["overlay"]).is_file()


@pytest.mark.parametrize(
    ("align", "message"),
    [
        ("page-1:100,100=130,115", "give two or three point pairs per sheet, not 1"),
        ("page-1:100,100=130,115;105,100=135,115", "old points 1 and 2 are 5 pt apart"),
        ("page-1:100,100=130,115;600,400=580,385;1100,700=1030,655", "lie (almost) on one line"),
        ("page-1:100,100=130,115;1100,900=1030,655", "old point 2 (1100, 900) is outside the old sheet"),
        ("page-1:100,100=130,115;1100,700=x,655", "not of the form x,y=X,Y"),
        ("A-999:100,100=130,115;1100,700=1030,655", "no sheet A-999 is on both sides"),
    ],
    ids=["one-pair", "coincident", "collinear", "outside", "malformed", "unknown-sheet"],
)
def test_point_pairs_that_cannot_align_exit_2_with_one_line_and_write_nothing(tmp_path, align, message):
    old, new = sparse_sheet(tmp_path / "old.pdf"), sparse_sheet(tmp_path / "new.pdf", SPARSE_REPLOT)
    result = CliRunner().invoke(main, ["compare", str(old), str(new), "--out", str(tmp_path / "o"), "--align", align])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o" / "changes.json").exists()
