"""Per comparison job: the diff of its two versions (``buildtrace.changes/v1``).

Nothing passes between steps through local disk (on Kubernetes each step is
its own pod): the diff writes its document, overlays and crops to blob
storage under the job's id and its row to the database, where the summary
step finds them.
"""

import json
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import (
    AllPartitionMapping,
    AssetCheckResult,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
)
from sqlalchemy.orm import Session

from buildtrace_assets.assets.attribution import requester
from buildtrace_assets.assets.drawing_versions import ENGINE_VERSION, drawing_analysis, load_analysis
from buildtrace_assets.assets.policies import STEP_RETRY, bad_input_failure, step_resources
from buildtrace_assets.assets.tracking import job_stage_tracked
from buildtrace_assets.db.models import DrawingVersion, Job
from buildtrace_assets.engine.alignment import MIN_SCORE
from buildtrace_assets.engine.compare import DocumentAnalysis, compare_documents
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.engine.manual_alignment import PointPair
from buildtrace_assets.observability.steps import observed_step, record_comparison
from buildtrace_assets.partitions import jobs_partitions
from buildtrace_assets.resources import AppDatabaseResource, BlobStorageResource, EngineSettingsResource
from buildtrace_assets.services.alignments import alignments_to_apply
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.partition_labels import job_label
from buildtrace_assets.services.uploads import safe_filename
from buildtrace_assets.summaries.overlays import sheet_key

SHEETS_ALIGNED = "sheets_aligned"
UPLOADS_AT_ONCE = 8
"""Files of a diff stored side by side. Each write waits for its own flush (local storage: an fsync of the file
and of its folder; GCS: a request), so one after another a 20-sheet diff's 132 overlays and crops took ~1 s on a
local disk; eight at once share the flushes (0.16-0.26 s), and a bucket's round trips overlap."""


def diff_prefix(job_id: str) -> str:
    """Where a job's diff lives: ``changes.json`` and the ``overlays/`` and ``crops/`` it refers to."""
    return f"jobs/{job_id}/diff"


@dataclass(frozen=True)
class VersionInput:
    """One side of the comparison: the uploaded file and its stored analysis."""

    storage_key: str
    filename: str
    analysis_ref: str | None

    @classmethod
    def of(cls, version: DrawingVersion) -> "VersionInput":
        return cls(version.storage_key, safe_filename(version.original_filename), version.ocr_result_ref)

    def fetch(self, storage: BlobStorageResource, folder: Path) -> tuple[Path, DocumentAnalysis | None]:
        path = storage.get().download(self.storage_key, folder / self.filename)
        return path, load_analysis(storage, self.analysis_ref) if self.analysis_ref else None


def job_inputs(session: Session, job: Job) -> tuple[VersionInput, VersionInput]:
    return (
        VersionInput.of(session.get_one(DrawingVersion, job.old_drawing_version_id)),
        VersionInput.of(session.get_one(DrawingVersion, job.new_drawing_version_id)),
    )


def upload_tree(storage: BlobStorageResource, folder: Path, prefix: str) -> None:
    """Copy every file under ``folder`` to ``prefix/<relative path>``, so the document's references stay valid;
    :data:`UPLOADS_AT_ONCE` at a time, and the first failure raised once the others have ended."""
    blobs = storage.get()
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    with ThreadPoolExecutor(UPLOADS_AT_ONCE, thread_name_prefix="diff-upload") as pool:
        stored = [
            pool.submit(blobs.put_file, f"{prefix}/{path.relative_to(folder).as_posix()}", path) for path in files
        ]
    for blob in stored:
        blob.result()


def overlay_refs(document: dict[str, Any], prefix: str) -> dict[str, str]:
    """Storage keys of the overlay images by sheet key: the row's unique ``key``, so two sheets that print the same
    number keep one overlay each."""
    return {sheet_key(sheet): f"{prefix}/{sheet['overlay']}" for sheet in document["sheets"] if sheet.get("overlay")}


def alignment_check(document: dict[str, Any]) -> AssetCheckResult:
    """Every sheet found in both versions must be aligned well enough for its changes to mean anything."""
    matched = [sheet for sheet in document["sheets"] if sheet["old_page"] is not None and sheet["new_page"] is not None]
    poor = {
        sheet_key(sheet): round(sheet.get("alignment", {}).get("score", 0.0), 3)
        for sheet in matched
        if sheet.get("alignment", {}).get("score", 0.0) < MIN_SCORE or sheet.get("error")
    }
    return AssetCheckResult(
        check_name=SHEETS_ALIGNED,
        passed=not poor,
        metadata={"matched_sheets": len(matched), "threshold": MIN_SCORE, "poorly_aligned": MetadataValue.json(poor)},
    )


def diff_metadata(document: dict[str, Any], storage: BlobStorageResource, prefix: str, seconds: float) -> dict:
    changes = [change for sheet in document["sheets"] for change in sheet["changes"]]
    overlays = [sheet["overlay"] for sheet in document["sheets"] if sheet.get("overlay")]
    metadata: dict[str, Any] = {
        "sheets": len(document["sheets"]),
        "sheet_status": MetadataValue.json(dict(Counter(sheet["status"] for sheet in document["sheets"]))),
        "changes": len(changes),
        "change_kinds": MetadataValue.json(dict(Counter(change["kind"] for change in changes))),
        "seconds": round(seconds, 3),
        "changes_document": MetadataValue.url(storage.get().uri(f"{prefix}/changes.json")),
    }
    if overlays:
        preview = storage.get().uri(f"{prefix}/{overlays[0]}")
        metadata["overlay_preview"] = MetadataValue.md(
            f"![overlay of the first changed sheet]({preview})\n\n`{preview}`"
        )
    return metadata


@asset(
    partitions_def=jobs_partitions,
    # Every job reads two versions' analyses; which two lives in the app database (see docs/architecture.md).
    deps=[AssetDep(drawing_analysis, partition_mapping=AllPartitionMapping())],
    retry_policy=STEP_RETRY,
    op_tags=step_resources(cpu="2", memory="4Gi"),
    group_name="jobs",
    code_version=ENGINE_VERSION,
    check_specs=[
        AssetCheckSpec(
            SHEETS_ALIGNED,
            asset="diff_result",
            description="Matched sheets are aligned.",
            partitions_def=jobs_partitions,
        )
    ],
)
def diff_result(
    context: AssetExecutionContext,
    storage: BlobStorageResource,
    database: AppDatabaseResource,
    engine: EngineSettingsResource,
) -> MaterializeResult:
    """Matched sheets, their alignment and change regions, overlays and crops (``buildtrace.changes/v1``).

    Written in the name of the person whose request the run carries out (a
    manual alignment's re-comparison), else the pipeline's.
    """
    job_id, actor = context.partition_key, requester(context.run.tags)
    final_attempt = context.retry_number >= STEP_RETRY.max_retries
    prefix = diff_prefix(job_id)
    with (
        observed_step("diff", context.run.tags, context.run.run_id, job_id=job_id),
        job_stage_tracked(database, job_id, "diff", context.run.run_id, final_attempt=final_attempt) as stage,
    ):
        with database.transaction() as session:
            old, new = job_inputs(session, stage.job)
            alignments = alignments_to_apply(session, actor, job_id)
            label = job_label(session, job_id)
        started = time.perf_counter()
        document = compare_in_scratch(storage, engine, (old, new), alignments, prefix, f"job {job_id}")
        changes_ref = f"{prefix}/changes.json"
        with database.transaction() as session:
            record_diff_result(
                session,
                actor,
                job_id,
                changes_ref=changes_ref,
                engine_version=ENGINE_VERSION,
                overlay_refs=overlay_refs(document, prefix),
                sheet_count=len(document["sheets"]),
                change_count=sum(len(sheet["changes"]) for sheet in document["sheets"]),
            )
            stage.completed(session, changes_ref)
    return MaterializeResult(
        metadata={"job": label, **diff_metadata(document, storage, prefix, time.perf_counter() - started)},
        check_results=[alignment_check(document)],
    )


def compare_in_scratch(
    storage: BlobStorageResource,
    engine: EngineSettingsResource,
    versions: tuple[VersionInput, VersionInput],
    alignments: dict[str, tuple[PointPair, ...]],
    prefix: str,
    what: str,
) -> dict[str, Any]:
    """Fetch both versions into a scratch folder, compare them and upload what the engine wrote under ``prefix``."""
    with tempfile.TemporaryDirectory(prefix="buildtrace-diff-") as scratch:
        folder = Path(scratch)
        (folder / "old").mkdir()
        (folder / "new").mkdir()
        old_path, old_analysis = versions[0].fetch(storage, folder / "old")
        new_path, new_analysis = versions[1].fetch(storage, folder / "new")
        engine_started = time.perf_counter()
        try:
            document = compare_documents(
                old_path,
                new_path,
                folder / "out",
                dpi=engine.dpi,
                ocr_timeout_s=engine.ocr_timeout_s,
                old_analysis=old_analysis,
                new_analysis=new_analysis,
                alignments=alignments,
            )
        except BadInputError as error:
            raise bad_input_failure(error, what) from error
        record_comparison(time.perf_counter() - engine_started, len(document["sheets"]))
        upload_tree(storage, folder / "out", prefix)
    return document


def load_changes(storage: BlobStorageResource, key: str) -> dict[str, Any]:
    return json.loads(storage.get().get_bytes(key))
