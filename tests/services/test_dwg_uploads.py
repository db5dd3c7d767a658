"""DWG uploads: accepted as DWG, refused with the reason when unusable (nothing written), warnings shown per version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.database import Team
from fixtures.dwg import model_dwg, nested_blocks_dwg, password_protected, sheet_dwg, with_version
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.models import Drawing, DrawingVersion
from buildtrace_assets.db.session import transaction
from buildtrace_assets.engine.compare import analyze_document
from buildtrace_assets.services.drawings import record_version_processing
from buildtrace_assets.services.errors import UnsupportedFileType
from buildtrace_assets.services.uploads import register_upload, versions_with_warnings
from buildtrace_assets.storage import BlobStorage

DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")


def test_a_dwg_upload_is_a_dwg_version_with_its_sheets(
    db_session: Session, blob_storage: BlobStorage, team: Team, tmp_path: Path
) -> None:
    data = sheet_dwg(tmp_path / "A-101.dwg").read_bytes()

    version = register_upload(db_session, blob_storage, team.editor, team.project.id, "A-101", "A-101.dwg", data)

    assert (version.file_kind, version.content_type, version.page_count) == ("dwg", "image/vnd.dwg", 1)
    assert blob_storage.get_bytes(version.storage_key) == data


def _bad_dwgs(folder: Path) -> dict[str, tuple[bytes, str]]:
    sheet = sheet_dwg(folder / "sheet.dwg").read_bytes()
    return {
        "r12": (with_version(sheet, "AC1009"), "plan.dwg is a DWG of AutoCAD R11/R12 (AC1009), older than"),
        "newer": (with_version(sheet, "AC1040"), "plan.dwg is a DWG of version AC1040, newer than"),
        "password": (password_protected(sheet), "plan.dwg is a password-protected DWG"),
        "truncated": (sheet[: len(sheet) // 3], "plan.dwg is a DWG that cannot be used: not a readable DWG"),
        "bomb": (
            nested_blocks_dwg(folder / "bomb.dwg", depth=8, fanout=10).read_bytes(),
            "plan.dwg is a DWG that cannot be used: its block references expand to over 5,000,000 entities",
        ),
        "far": (
            model_dwg(folder / "far.dwg", reach=1e11).read_bytes(),
            "plan.dwg is a DWG that cannot be used: the drawing reaches 1e+11 units",
        ),
    }


@pytest.mark.parametrize("case", ["r12", "newer", "password", "truncated", "bomb", "far"])
def test_unusable_dwgs_are_refused_with_the_reason_and_nothing_is_written(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team, tmp_path: Path, case: str
) -> None:
    data, reason = _bad_dwgs(tmp_path)[case]

    with pytest.raises(UnsupportedFileType) as refused, transaction(session_factory) as session:
        register_upload(session, blob_storage, team.editor, team.project.id, "A-101", "plan.dwg", data)

    assert str(refused.value).startswith(reason)
    assert "/" not in str(refused.value).removeprefix(reason)  # no server path in the message
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DrawingVersion)) == 0
        assert session.scalar(select(func.count()).select_from(Drawing)) == 0
    assert list(blob_storage.list()) == []


@needs_drawings
def test_each_version_shows_what_its_conversion_lost(
    db_session: Session, blob_storage: BlobStorage, team: Team
) -> None:
    path = DRAWINGS / "dwg_entities_AC1018.dwg"
    version = register_upload(
        db_session, blob_storage, team.editor, team.project.id, "Entities", path.name, path.read_bytes()
    )
    blob_storage.put_bytes("analyses/v1.json", json.dumps(analyze_document(path).to_json()).encode())
    record_version_processing(
        db_session, team.editor, version.id, ocr_status="completed", ocr_result_ref="analyses/v1.json"
    )

    ((shown, warnings),) = versions_with_warnings(db_session, blob_storage, team.viewer, version.drawing_id)

    assert shown.id == version.id
    assert "3 entities of entity types the DWG converter does not read are missing (2 3DSOLID, 1 REGION)" in warnings
    assert "1 entity that could not be converted is missing (1 MTEXT)" in warnings
