"""REST API v1: Flask blueprints over the services, for tools that push drawings in and pull results out.

Every route authenticates with a JWT access token, runs the services as the
signed-in user (so membership and roles are checked there, and another
organization's ids are simply not found) and answers JSON; errors are
``{"error": {"code", "message"}}``. See ``docs/api.md``.
"""

from buildtrace_assets.api.app import create_app
from buildtrace_assets.api.config import ApiSettings

__all__ = ["ApiSettings", "create_app"]
