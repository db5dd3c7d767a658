"""``buildtrace upload``: a file becomes the next version of its drawing, as the given user."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.database import Team, tiny_pdf
from fixtures.files import dxf_bytes, png_header_only
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.cli import main
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.db.models import DrawingVersion
from buildtrace_assets.storage import BlobStorage


def upload(team: Team, path: Path, *extra: str, user: str = "editor@acme.test"):
    return CliRunner().invoke(main, ["upload", team.project.id, str(path), "--user", user, *extra])


def test_the_drawing_name_defaults_to_the_file_stem(
    app_settings: Settings,
    session_factory: sessionmaker[Session],
    blob_storage: BlobStorage,
    team: Team,
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "A-101.pdf", tmp_path / "A-101 rev B.pdf"
    first.write_bytes(tiny_pdf("rev A"))
    second.write_bytes(tiny_pdf("rev B"))

    one = upload(team, first)
    two = upload(team, second, "--drawing", "A-101")

    assert (one.exit_code, two.exit_code) == (0, 0), one.output + two.output
    number, version_id = two.stdout.split()[1:]
    assert one.stdout.startswith("version 1 ") and number == "2"
    with session_factory() as session:
        version = session.get(DrawingVersion, version_id)
        assert version.original_filename == "A-101 rev B.pdf"
        assert blob_storage.get_bytes(version.storage_key) == tiny_pdf("rev B")


def test_bad_uploads_are_one_line_and_exit_2(
    app_settings: Settings, blob_storage: BlobStorage, team: Team, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("not a drawing")
    drawing = tmp_path / "A-101.pdf"
    drawing.write_bytes(tiny_pdf("x"))

    unsupported = upload(team, notes)
    viewer = upload(team, drawing, user="viewer@acme.test")
    outsider = upload(team, drawing, user="outsider@rival.test")

    assert [r.exit_code for r in (unsupported, viewer, outsider)] == [2, 2, 2]
    assert unsupported.stderr == "Error: notes.pdf is not a PDF, PNG, JPEG, DXF or DWG file\n"
    assert viewer.stderr.startswith("Error: this needs the editor role")
    assert outsider.stderr == f"Error: project {team.project.id} not found\n"
    assert list(blob_storage.list()) == []


def test_a_missing_file_is_a_usage_error(app_settings: Settings, team: Team, tmp_path: Path) -> None:
    result = upload(team, tmp_path / "missing.pdf")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_decompression_bomb_or_a_reserved_drawing_name_is_one_line_and_exit_2(
    app_settings: Settings, blob_storage: BlobStorage, team: Team, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_only(60_000, 60_000))
    drawing = tmp_path / "A-101.pdf"
    drawing.write_bytes(tiny_pdf("x"))

    too_many_pixels = upload(team, bomb)
    reserved = upload(team, drawing, "--drawing", ".buildtrace-tmp-evil")

    assert (too_many_pixels.exit_code, reserved.exit_code) == (2, 2)
    assert too_many_pixels.stderr == (
        "Error: bomb.png is an image of 60,000 x 60,000 pixels (3,600 megapixels); the limit is 200 megapixels\n"
    )
    assert reserved.stderr == (
        "Error: drawing name must not start with '.buildtrace-tmp-', which is reserved for temporary files\n"
    )
    assert list(blob_storage.list()) == []


def test_an_ascii_dxf_named_pdf_is_uploaded_as_a_dxf(
    app_settings: Settings, session_factory: sessionmaker[Session], team: Team, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(dxf_bytes(binary=False))

    result = upload(team, plan)

    assert result.exit_code == 0, result.output
    with session_factory() as session:
        assert session.get_one(DrawingVersion, result.stdout.split()[2]).file_kind == "dxf"


def test_unreachable_storage_is_one_line_and_exit_2(
    app_settings: Settings, team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawing = tmp_path / "A-101.pdf"
    drawing.write_bytes(tiny_pdf("rev A"))
    monkeypatch.setenv("BUILDTRACE_STORAGE_URL", "gs://unreachable-bucket/buildtrace")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://127.0.0.1:9")
    get_settings.cache_clear()

    result = upload(team, drawing)

    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith("Error: blob storage gs://unreachable-bucket/buildtrace is unreachable")
    assert result.stderr.rstrip().endswith("try again later") and len(result.stderr.splitlines()) == 1
