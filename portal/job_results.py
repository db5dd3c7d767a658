"""From a job to its results: links to its review and summary, stage names that say what happens, durations.

The pipeline's stage ``ocr`` reads each version's sheets: the text layer and
linework of a vector PDF (no OCR at all) or OCR of a scan, so people see it
as "analysis". A stage recorded done without a start time has no duration
rather than ``None``.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from portal.job_context import JOB_PARAM, JobRef
from portal.project_context import PROJECT_PARAM, ProjectAccess

STAGE_NAMES = {"ocr": "analysis", "diff": "comparison", "summary": "summary"}


def stage_label(stage: str, version: str = "") -> str:
    """``analysis v2``, ``comparison``, ``summary``."""
    return f"{STAGE_NAMES.get(stage, stage)} {version}".strip()


def duration(started: datetime | None, completed: datetime | None, now: datetime) -> str:
    """``4.2 s``; ``running 12 s`` while it runs; empty when no start was recorded."""
    if started is None:
        return ""
    if completed is None:
        return f"running {round((now - started).total_seconds())} s"
    return f"{(completed - started).total_seconds():.1f} s"


def result_links(project: ProjectAccess, job: JobRef) -> None:
    """Links from a finished job straight to its changes and its summary."""
    where = {PROJECT_PARAM: project.project_id, JOB_PARAM: job.job_id}
    review, summary, _ = st.columns([1, 1, 3])
    review.page_link("views/review.py", label="Review changes", icon=":material/compare:", query_params=where)
    summary.page_link("views/summary.py", label="Read the summary", icon=":material/summarize:", query_params=where)
