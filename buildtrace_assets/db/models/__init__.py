"""The tables of the app database; import from here."""

from buildtrace_assets.db.models.accounts import ROLES, Organization, Project, ProjectMember, Role, User
from buildtrace_assets.db.models.api import ApiSession, IdempotencyRecord, RefreshToken
from buildtrace_assets.db.models.audit import AuditLog
from buildtrace_assets.db.models.drawings import FILE_KINDS, OCR_STATUSES, Drawing, DrawingVersion, FileKind, OcrStatus
from buildtrace_assets.db.models.jobs import (
    JOB_STATUSES,
    STAGE_NAMES,
    STAGE_STATUSES,
    Job,
    JobStage,
    JobStatus,
    StageExecution,
    StageName,
    StageStatus,
)
from buildtrace_assets.db.models.requests import (
    OPEN_REQUEST_STATUSES,
    REQUEST_KINDS,
    REQUEST_STATUSES,
    BucketObject,
    PipelineRequest,
    RequestKind,
    RequestStatus,
)
from buildtrace_assets.db.models.results import (
    SUMMARY_SOURCES,
    ChangeSummary,
    DiffResult,
    ManualOverlay,
    SheetAlignment,
    SummarySource,
)
from buildtrace_assets.db.models.sign_in_counters import COUNTER_SCOPES, CounterScope, SignInCounter
from buildtrace_assets.db.models.step_totals import StepMetricTotal

__all__ = [
    "COUNTER_SCOPES",
    "FILE_KINDS",
    "JOB_STATUSES",
    "OCR_STATUSES",
    "OPEN_REQUEST_STATUSES",
    "REQUEST_KINDS",
    "REQUEST_STATUSES",
    "ROLES",
    "STAGE_NAMES",
    "STAGE_STATUSES",
    "SUMMARY_SOURCES",
    "ApiSession",
    "AuditLog",
    "BucketObject",
    "ChangeSummary",
    "CounterScope",
    "DiffResult",
    "Drawing",
    "DrawingVersion",
    "FileKind",
    "IdempotencyRecord",
    "Job",
    "JobStage",
    "JobStatus",
    "ManualOverlay",
    "OcrStatus",
    "Organization",
    "PipelineRequest",
    "Project",
    "ProjectMember",
    "RefreshToken",
    "RequestKind",
    "RequestStatus",
    "Role",
    "SheetAlignment",
    "SignInCounter",
    "StageExecution",
    "StageName",
    "StageStatus",
    "StepMetricTotal",
    "SummarySource",
    "User",
]
