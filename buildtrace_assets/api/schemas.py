"""Request and response bodies; flask-smorest validates requests and writes the OpenAPI document from these.

Unknown fields in a request are refused (marshmallow's default), so a typo
in a field name is a 422 instead of a silently ignored change.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from buildtrace_assets.db.models import ROLES
from buildtrace_assets.services.drawings import MAX_NAME_LENGTH

TEXT_LIMIT = 200
SUMMARY_LIMIT = 100_000
MAX_OVERLAY_CHANGES = 10_000


def _id(description: str, required: bool = False) -> ma.fields.String:
    """An id field: ids are 36-character UUID strings, so longer input is refused before any query."""
    return ma.fields.String(required=required, validate=validate.Length(1, 36), metadata={"description": description})


class ErrorSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable machine-readable reason."})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, fit to show a person."})
    details = ma.fields.Dict(metadata={"description": "Field-by-field validation messages, when there are some."})


class ErrorEnvelopeSchema(ma.Schema):
    error = ma.fields.Nested(ErrorSchema, required=True)


class LoginSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=validate.Length(1, 320))
    password = ma.fields.String(required=True, validate=validate.Length(1, 1024), load_only=True)


class RefreshSchema(ma.Schema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(1, 512))


class TokenPairSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds until the access token expires."})


class UserSchema(ma.Schema):
    id = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    organization_id = ma.fields.String(required=True)


class ProjectSchema(ma.Schema):
    id = ma.fields.String(required=True)
    organization_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class ProjectCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(1, TEXT_LIMIT))
    description = ma.fields.String(load_default="", validate=validate.Length(0, 10_000))


class ProjectUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=validate.Length(1, TEXT_LIMIT))
    description = ma.fields.String(validate=validate.Length(0, 10_000))


class MemberSchema(ma.Schema):
    user_id = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))


class MemberAddSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=validate.Length(1, 320))
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))


class MemberRoleSchema(ma.Schema):
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))


class DrawingSchema(ma.Schema):
    id = ma.fields.String(required=True)
    project_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class DrawingVersionSchema(ma.Schema):
    id = ma.fields.String(required=True)
    drawing_id = ma.fields.String(required=True)
    version_number = ma.fields.Integer(required=True)
    original_filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    file_kind = ma.fields.String(required=True)
    file_hash = ma.fields.String(required=True)
    file_size = ma.fields.Integer(required=True)
    page_count = ma.fields.Integer(required=True, allow_none=True)
    ocr_status = ma.fields.String(required=True)
    uploaded_by = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class DrawingDetailSchema(DrawingSchema):
    versions = ma.fields.List(ma.fields.Nested(DrawingVersionSchema), required=True)


class NewVersionSchema(ma.Schema):
    file = Upload(
        required=True, metadata={"description": "The drawing: PDF, PNG, JPEG, DXF or DWG (AutoCAD R13 to 2018)."}
    )
    old_version_id = _id("Compare the upload with this version (same project).")


class UploadSchema(NewVersionSchema):
    name = ma.fields.String(
        validate=validate.Length(1, MAX_NAME_LENGTH),
        metadata={"description": "Drawing name; the file name's stem by default."},
    )


class JobSchema(ma.Schema):
    id = ma.fields.String(required=True)
    project_id = ma.fields.String(required=True)
    old_drawing_version_id = ma.fields.String(required=True)
    new_drawing_version_id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    error_message = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    started_at = ma.fields.DateTime(required=True, allow_none=True)
    completed_at = ma.fields.DateTime(required=True, allow_none=True)
    cancelled_at = ma.fields.DateTime(required=True, allow_none=True)


class UploadResultSchema(ma.Schema):
    drawing = ma.fields.Nested(DrawingSchema, required=True)
    version = ma.fields.Nested(DrawingVersionSchema, required=True)
    job = ma.fields.Nested(JobSchema, required=True, allow_none=True)


class JobCreateSchema(ma.Schema):
    old_version_id = _id("The earlier version.", required=True)
    new_version_id = _id("The later version, of the same project.", required=True)


class StageSchema(ma.Schema):
    id = ma.fields.String(required=True)
    stage = ma.fields.String(required=True)
    drawing_version_id = ma.fields.String(required=True, allow_none=True)
    status = ma.fields.String(required=True)
    attempts = ma.fields.Integer(required=True)
    started_at = ma.fields.DateTime(required=True, allow_none=True)
    completed_at = ma.fields.DateTime(required=True, allow_none=True)
    error_message = ma.fields.String(required=True, allow_none=True)


class MachineOverlaySchema(ma.Schema):
    diff_result_id = ma.fields.String(required=True)
    job_id = ma.fields.String(required=True)
    engine_version = ma.fields.String(required=True)
    sheet_count = ma.fields.Integer(required=True)
    change_count = ma.fields.Integer(required=True)
    overlay_refs = ma.fields.Dict(required=True, metadata={"description": "Storage keys of overlay images by sheet."})
    changes = ma.fields.Dict(required=True, metadata={"description": "The buildtrace.changes/v1 document."})
    active_overlay_id = ma.fields.String(required=True, allow_none=True)


class OverlayChangesSchema(ma.Schema):
    changes = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        validate=validate.Length(0, MAX_OVERLAY_CHANGES),
        metadata={"description": "Change objects of the buildtrace.changes/v1 contract."},
    )


class OverlaySchema(ma.Schema):
    id = ma.fields.String(required=True)
    diff_result_id = ma.fields.String(required=True)
    version_number = ma.fields.Integer(required=True)
    parent_overlay_id = ma.fields.String(required=True, allow_none=True)
    is_active = ma.fields.Boolean(required=True)
    changes = ma.fields.List(ma.fields.Dict(), required=True)
    created_by = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class SummarySchema(ma.Schema):
    id = ma.fields.String(required=True)
    diff_result_id = ma.fields.String(required=True)
    version_number = ma.fields.Integer(required=True)
    parent_summary_id = ma.fields.String(required=True, allow_none=True)
    source = ma.fields.String(required=True)
    overlay_id = ma.fields.String(required=True, allow_none=True)
    content = ma.fields.Dict(required=True)
    text = ma.fields.String(required=True)
    model = ma.fields.String(required=True, allow_none=True)
    prompt_version = ma.fields.String(required=True, allow_none=True)
    is_active = ma.fields.Boolean(required=True)
    created_by = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class SummaryEditSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=validate.Length(1, SUMMARY_LIMIT))
    expected_active_id = _id("The summary being edited; 409 when another became active meanwhile.")


class PipelineRequestSchema(ma.Schema):
    id = ma.fields.String(required=True)
    project_id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "analyze, compare or summarize."})
    drawing_version_id = ma.fields.String(required=True, allow_none=True)
    job_id = ma.fields.String(required=True, allow_none=True)
    requested_by = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "The user who asked; null when the pipeline did."}
    )
    reason = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        metadata={"description": "pending (no run yet), queued, running, done or failed (see error_message)."},
    )
    error_message = ma.fields.String(required=True, allow_none=True)
    dagster_run_id = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    submitted_at = ma.fields.DateTime(required=True, allow_none=True)
    finished_at = ma.fields.DateTime(required=True, allow_none=True)


class FollowedRequestSchema(PipelineRequestSchema):
    run_status = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The run's state as Dagster has it now (e.g. STARTED); null before a run or "
            "while the Dagster API does not answer."
        },
    )


class RegenerationSchema(ma.Schema):
    reason = ma.fields.String(
        load_default="regenerate summary",
        validate=validate.Length(1, 500),
        metadata={"description": "Why, for the audit log; a repeat of a waiting request returns that request."},
    )


class PipelineHealthSchema(ma.Schema):
    ok = ma.fields.Boolean(required=True)
    problems = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "One line per problem."})
    reachable = ma.fields.Boolean(required=True, metadata={"description": "Whether the Dagster API answered."})


class PartitionStateSchema(ma.Schema):
    asset = ma.fields.String(required=True)
    partition = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"description": "old version, new version or job."})
    status = ma.fields.String(required=True)
    materialized_at = ma.fields.DateTime(required=True, allow_none=True)
    run_id = ma.fields.String(required=True, allow_none=True)
    requested_by = ma.fields.String(required=True, allow_none=True)


class LineageSchema(ma.Schema):
    reachable = ma.fields.Boolean(required=True, metadata={"description": "Whether the Dagster API answered."})
    problem = ma.fields.String(required=True, allow_none=True, metadata={"description": "Why it did not."})
    partitions = ma.fields.List(ma.fields.Nested(PartitionStateSchema), required=True)


class PointPairSchema(ma.Schema):
    old = ma.fields.List(
        ma.fields.Float(),
        required=True,
        validate=validate.Length(2, 2),
        metadata={"description": "[x, y] on the old sheet, in points."},
    )
    new = ma.fields.List(
        ma.fields.Float(),
        required=True,
        validate=validate.Length(2, 2),
        metadata={"description": "[x, y] on the new sheet, in points."},
    )


class AlignmentPointsSchema(ma.Schema):
    points = ma.fields.List(
        ma.fields.Nested(PointPairSchema),
        required=True,
        validate=validate.Length(1, 10),
        metadata={"description": "Two or three pairs marking the same spots on the old and the new sheet."},
    )


class SheetAlignmentSchema(ma.Schema):
    id = ma.fields.String(required=True)
    diff_result_id = ma.fields.String(required=True)
    sheet_key = ma.fields.String(required=True)
    points = ma.fields.List(ma.fields.Nested(PointPairSchema), required=True)
    created_by = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
