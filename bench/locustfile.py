"""Locust users of the API load test (``bench.load`` starts the API and runs this file headless).

Browsers sign in once and read projects, jobs, job stages and summaries; uploaders add a new version of a drawing
(a fresh one-page PDF each time). The run's targets come from the environment ``bench.load`` sets.
"""

from __future__ import annotations

import os
import random
import uuid

import pymupdf
from locust import HttpUser, between, task

PROJECT = os.environ.get("BUILDTRACE_LOAD_PROJECT", "")
JOBS = [job for job in os.environ.get("BUILDTRACE_LOAD_JOBS", "").split(",") if job]
EMAIL = os.environ.get("BUILDTRACE_LOAD_EMAIL", "")
PASSWORD = os.environ.get("BUILDTRACE_LOAD_PASSWORD", "")
TOKEN = os.environ.get("BUILDTRACE_LOAD_TOKEN", "")
"""An access token of an earlier sign-in: people who browse are signed in already (a sign-in costs an Argon2 hash
by design, and 55 at once would measure that instead of browsing). Without it each user signs in first."""


def one_page_pdf(label: str) -> bytes:
    document = pymupdf.open()
    page = document.new_page(width=792, height=612)
    page.insert_text((72, 72), f"Load test sheet {label}")
    page.draw_rect(pymupdf.Rect(100, 100, 300 + random.randint(0, 200), 400))
    data: bytes = document.tobytes()
    document.close()
    return data


class SignedIn(HttpUser):
    abstract = True

    def on_start(self) -> None:
        token = TOKEN
        if not token:
            response = self.client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
            response.raise_for_status()
            token = response.json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"


class Browser(SignedIn):
    """A project manager looking through projects, jobs and summaries."""

    fixed_count = int(os.environ.get("BUILDTRACE_LOAD_BROWSERS", "50"))
    wait_time = between(0.5, 1.5)

    @task(2)
    def projects(self) -> None:
        self.client.get("/api/v1/projects", name="GET /projects")

    @task(3)
    def jobs(self) -> None:
        self.client.get(f"/api/v1/projects/{PROJECT}/jobs", name="GET /projects/{id}/jobs")

    @task(3)
    def job(self) -> None:
        self.client.get(f"/api/v1/jobs/{random.choice(JOBS)}", name="GET /jobs/{id}")

    @task(2)
    def stages(self) -> None:
        self.client.get(f"/api/v1/jobs/{random.choice(JOBS)}/stages", name="GET /jobs/{id}/stages")

    @task(3)
    def summary(self) -> None:
        self.client.get(f"/api/v1/jobs/{random.choice(JOBS)}/summary", name="GET /jobs/{id}/summary")


class Uploader(SignedIn):
    """Someone uploading revisions of a drawing set."""

    fixed_count = int(os.environ.get("BUILDTRACE_LOAD_UPLOADERS", "5"))
    wait_time = between(2, 4)

    @task
    def upload(self) -> None:
        label = uuid.uuid4().hex
        self.client.post(
            f"/api/v1/projects/{PROJECT}/drawings",
            data={"name": f"Load {label[:2]}"},
            files={"file": (f"{label}.pdf", one_page_pdf(label), "application/pdf")},
            name="POST /projects/{id}/drawings",
        )
