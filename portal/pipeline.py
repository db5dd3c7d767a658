"""The pipeline as the portal sees it: through the Dagster webserver's GraphQL API (``DAGSTER_GRAPHQL_URL``).

The portal loads no Dagster definitions and opens no instance: work is asked
for as pipeline requests (services) and the pipeline's sensors start the runs.
Every page shows a banner when the daemon or the sensors have gone quiet, or
the webserver does not answer, so a person knows why nothing moves.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from buildtrace_assets.config import get_settings
from buildtrace_assets.pipeline_api import PipelineApi, PipelineHealth

BANNER_TITLE = "The pipeline is not running: uploads, comparisons and summaries wait until it is back; nothing is lost."
"""The banner's one line: what it means for the person, in plain words; the details wait in the expander."""
ADMIN_HINT = "An administrator can see more with `buildtrace doctor`."
HEALTH_TTL_S = 3
"""How long one health reading is shown before it is read again: the Jobs page's refresh interval."""


def pipeline_api() -> PipelineApi:
    """The configured pipeline API (settings are read each time, so tests and operators can change them)."""
    return PipelineApi.from_settings(get_settings())


@st.cache_data(ttl=HEALTH_TTL_S, show_spinner=False)
def _health(url: str, timeout_s: float, silent_after_s: float) -> PipelineHealth:
    return PipelineApi(url, timeout_s, silent_after_s).health()


def pipeline_health() -> PipelineHealth:
    """The pipeline's health, read at most once per refresh interval for all sessions."""
    api = pipeline_api()
    return _health(api.url, api.timeout_s, api.silent_after_s)


@st.fragment(run_every=HEALTH_TTL_S)
def health_banner() -> None:
    """One line on top of every page while the pipeline is not doing its work (its details folded away); nothing
    when it is.

    A fragment of its own, so it appears and goes away within one refresh
    interval on any page, without rerunning the page.
    """
    health = pipeline_health()
    if health.ok:
        return
    with st.expander(BANNER_TITLE, icon=":material/pause_circle:"):
        st.markdown("\n".join(f"- {line}" for line in plain_problems(health)) + f"\n\n{ADMIN_HINT}")


def _since(moment: float | None) -> str:
    return f"since {datetime.fromtimestamp(moment, tz=UTC):%Y-%m-%d %H:%M} UTC" if moment else "yet"


def plain_problems(health: PipelineHealth) -> list[str]:
    """The banner's details in words a person reads: which part stopped and since when, never an exception's text
    (that goes to the doctor and the logs)."""
    if health.unreachable is not None:
        return ["The pipeline's server does not answer."]
    return [
        *(f"Its service “{name}” has not reported {_since(at)}." for name, at in health.silent_daemons.items()),
        *(f"Its watcher “{name}” has not run {_since(at)}." for name, at in health.silent_sensors.items()),
    ]


def waiting_mark(since: datetime | None) -> str:
    """What a job or request shows while its request waits for a run."""
    return f"waiting for the pipeline since {since:%H:%M} UTC" if since else ""
