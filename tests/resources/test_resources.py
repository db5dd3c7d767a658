"""The Dagster resources, each against the real system it stands for."""

from __future__ import annotations

import pytest
from dagster import build_init_resource_context
from pydantic import ValidationError
from sqlalchemy import text

from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.resources import (
    AppDatabaseResource,
    BlobStorageResource,
    EngineSettingsResource,
    SummarizerResource,
    build_resources,
)
from buildtrace_assets.storage import GcsBlobStorage, LocalBlobStorage
from buildtrace_assets.summaries import OfflineSummarizer
from buildtrace_assets.summaries.openai_summarizer import OpenAISummarizer


def test_storage_opens_a_local_folder_and_keeps_one_client(tmp_path) -> None:
    resource = BlobStorageResource(url=(tmp_path / "blobs").as_uri())

    resource.get().put_bytes("uploads/p/d/a.pdf", b"%PDF")

    assert isinstance(resource.get(), LocalBlobStorage) and resource.get() is resource.get()
    assert (tmp_path / "blobs" / "uploads" / "p" / "d" / "a.pdf").read_bytes() == b"%PDF"


def test_storage_opens_a_gcs_bucket(gcs_storage_url: str) -> None:
    resource = BlobStorageResource(url=gcs_storage_url)

    resource.get().put_bytes("analyses/v.json", b"{}")

    assert isinstance(resource.get(), GcsBlobStorage)
    assert [blob.key for blob in resource.get().list("analyses/")] == ["analyses/v.json"]


def test_database_transactions_commit_on_success_and_roll_back_on_error_even_after_teardown(database_url: str) -> None:
    resource = AppDatabaseResource(url=database_url)
    with resource.transaction() as session:
        session.execute(text("CREATE TABLE scratch (n integer)"))
        session.execute(text("INSERT INTO scratch VALUES (1)"))

    with pytest.raises(RuntimeError, match="step failed"), resource.transaction() as session:
        session.execute(text("INSERT INTO scratch VALUES (2)"))
        raise RuntimeError("step failed")

    with resource.transaction() as session:
        assert session.execute(text("SELECT n FROM scratch")).scalars().all() == [1]
    resource.teardown_after_execution(build_init_resource_context())
    with resource.transaction() as session:
        session.execute(text("DROP TABLE scratch"))


def test_summarizer_is_offline_without_an_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    resource = SummarizerResource(kind="auto", openai_model="gpt-4.1-mini", openai_timeout_s=30)

    summarizer = resource.get()
    assert isinstance(summarizer, OfflineSummarizer)
    assert summarizer.model == "offline"


def test_summarizer_uses_the_openai_model_when_a_key_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    get_settings.cache_clear()
    try:
        resource = SummarizerResource(kind="auto", openai_model="gpt-4.1-mini", openai_timeout_s=30)
        summarizer = resource.get()
        assert isinstance(summarizer, OpenAISummarizer)
        assert summarizer.model == "gpt-4.1-mini"
    finally:
        get_settings.cache_clear()


def test_engine_settings_refuse_nonsense() -> None:
    with pytest.raises(ValidationError):
        EngineSettingsResource(dpi=0, ocr_timeout_s=10)


def test_every_resource_is_built_from_the_settings(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path, dpi=96, ocr_timeout_s=30, summarizer="offline", openai_model="m", openai_timeout_s=5
    )

    resources = build_resources(settings)

    assert resources["storage"].url == settings.storage_url == (tmp_path / "blobs").as_uri()
    assert resources["database"].url == settings.database_url
    assert (resources["engine"].dpi, resources["engine"].ocr_timeout_s) == (96, 30)
    assert (resources["summarizer"].kind, resources["summarizer"].openai_model) == ("offline", "m")
