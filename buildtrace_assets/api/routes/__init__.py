"""The API's blueprints, one per resource, all under ``/api/v1``."""

from buildtrace_assets.api.routes import (
    alignments,
    auth,
    drawings,
    jobs,
    overlays,
    projects,
    reports,
    requests,
    summaries,
)

BLUEPRINTS = [
    auth.blp,
    projects.blp,
    drawings.blp,
    jobs.blp,
    overlays.blp,
    summaries.blp,
    reports.blp,
    alignments.blp,
    requests.blp,
]
