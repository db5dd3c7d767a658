"""Sensors during an outage of the app database or blob storage: hold their place, say so in one line.

A sensor tick that raises is logged by Dagster with a traceback on every
tick, for as long as the outage lasts. Wrapped sensors skip the tick instead:
their cursor stays where it was, so the next tick after the outage picks up
exactly where they stopped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from dagster import SensorEvaluationContext, SkipReason
from sqlalchemy.exc import OperationalError

from buildtrace_assets.storage import StorageUnavailable

UNREACHABLE = (OperationalError, StorageUnavailable, ConnectionError, TimeoutError)
"""Errors that mean a service is out of reach, not that the data is wrong."""


def holding_place_in_outages(evaluate: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a sensor's evaluation function so an unreachable database or storage skips the tick."""

    @functools.wraps(evaluate)
    def guarded(context: SensorEvaluationContext, **resources: Any) -> Any:
        try:
            return evaluate(context, **resources)
        except UNREACHABLE as error:
            reason = f"database or storage unreachable ({type(error).__name__}); trying again on the next tick"
            context.log.warning(reason)
            return SkipReason(reason)

    return guarded
