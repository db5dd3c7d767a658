"""Per drawing version: every page read once (size, words, sheet number and title).

The analysis is stored as one JSON blob per version and reused by every job
that touches the version, so a drawing set compared against three revisions
is read and OCRed once, not three times. It holds no thumbnails: a diff
renders those only for the pages its sheet numbers leave unpaired, as
``buildtrace compare`` does; rendering one for every page took 0.6-1 s of a
20-sheet version's analysis, which every comparison's diff waits for.
"""

import json
import tempfile
import time
from collections import Counter
from importlib.metadata import version as package_version
from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from buildtrace_assets.assets.policies import STEP_RETRY, bad_input_failure, step_resources
from buildtrace_assets.assets.tracking import version_analysis_tracked
from buildtrace_assets.engine.analysis import analyze
from buildtrace_assets.engine.compare import DocumentAnalysis
from buildtrace_assets.engine.documents import open_document
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.observability.steps import observed_step
from buildtrace_assets.partitions import drawing_versions_partitions
from buildtrace_assets.resources import AppDatabaseResource, BlobStorageResource, EngineSettingsResource
from buildtrace_assets.services.partition_labels import version_label

ENGINE_VERSION = package_version("buildtrace")
"""The code version of the engine's assets: a new release marks every analysis and diff stale in Dagster."""


def analysis_key(version_id: str) -> str:
    """Where a version's analysis is stored: by version id, so re-running overwrites, never piles up."""
    return f"analyses/{version_id}.json"


def load_analysis(storage: BlobStorageResource, key: str) -> DocumentAnalysis:
    """A stored analysis, for the jobs that reuse it."""
    return DocumentAnalysis.from_json(json.loads(storage.get().get_bytes(key)))


@asset(
    partitions_def=drawing_versions_partitions,
    retry_policy=STEP_RETRY,
    op_tags=step_resources(cpu="1", memory="2Gi"),
    group_name="drawing_versions",
    kinds={"pdf"},
    code_version=ENGINE_VERSION,
)
def drawing_analysis(
    context: AssetExecutionContext,
    storage: BlobStorageResource,
    database: AppDatabaseResource,
    engine: EngineSettingsResource,
) -> MaterializeResult:
    """Pages, words (text layer, else OCR of the title block) and sheet identity of one version."""
    version_id = context.partition_key
    final_attempt = context.retry_number >= STEP_RETRY.max_retries
    with (
        observed_step("ocr", context.run.tags, context.run.run_id, drawing_version_id=version_id),
        version_analysis_tracked(database, version_id, context.run.run_id, final_attempt=final_attempt) as tracker,
    ):
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="buildtrace-version-") as scratch:
            path = storage.get().download(tracker.storage_key, Path(scratch) / tracker.filename)
            try:
                with open_document(path) as document:
                    analysis = analyze(document, "title_block", engine.ocr_timeout_s)
            except BadInputError as error:
                raise bad_input_failure(error, f"drawing version {version_id}") from error
        key = analysis_key(version_id)
        storage.get().put_bytes(key, json.dumps(analysis.to_json()).encode(), content_type="application/json")
        tracker.completed(result_ref=key, page_count=len(analysis.pages))
        with database.transaction() as session:
            label = version_label(session, version_id)
    sheets = [page.sheet.number or f"page {page.index + 1}" for page in analysis.pages]
    broken = {f"page {page.index + 1}": page.error for page in analysis.pages if page.error}
    return MaterializeResult(
        metadata={
            "version": label,
            "pages": len(analysis.pages),
            "sheets": MetadataValue.md("\n".join(f"- {sheet}" for sheet in sheets) or "none"),
            "sheet_numbers_found": sum(page.sheet.number is not None for page in analysis.pages),
            "text_sources": MetadataValue.json(dict(Counter(page.text_source for page in analysis.pages))),
            "unusable_pages": MetadataValue.json(broken),
            "seconds": round(time.perf_counter() - started, 3),
            "analysis": MetadataValue.url(storage.get().uri(key)),
        }
    )
