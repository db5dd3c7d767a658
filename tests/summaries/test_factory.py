import pytest

from buildtrace_assets.config import Settings
from buildtrace_assets.summaries import OfflineSummarizer, OpenAISummarizer, SummarizerError, make_summarizer


def test_without_a_key_the_offline_summarizer_is_used(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert isinstance(make_summarizer(Settings(summarizer="auto")), OfflineSummarizer)


def test_a_key_selects_the_openai_summarizer_with_configured_model_and_server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("BUILDTRACE_OPENAI_MODEL", "local-vlm")
    summarizer = make_summarizer(Settings(), max_tokens=500)
    assert isinstance(summarizer, OpenAISummarizer)
    assert (summarizer.config.model, summarizer.config.base_url, summarizer.config.max_tokens) == (
        "local-vlm",
        "http://127.0.0.1:9/v1",
        500,
    )


def test_offline_can_be_forced_even_with_a_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    assert isinstance(make_summarizer(Settings(summarizer="offline")), OfflineSummarizer)


def test_asking_for_openai_without_a_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(SummarizerError, match="needs OPENAI_API_KEY"):
        make_summarizer(Settings(summarizer="openai"))


def test_the_token_and_image_limits_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("BUILDTRACE_OPENAI_MAX_TOKENS", "900")
    monkeypatch.setenv("BUILDTRACE_OPENAI_MAX_IMAGES", "3")
    summarizer = make_summarizer(Settings())
    assert (summarizer.config.max_tokens, summarizer.config.images.max_images) == (900, 3)


def test_each_summarizer_names_the_model_its_summaries_are_recorded_with(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("BUILDTRACE_OPENAI_MODEL", "local-vlm")
    assert make_summarizer(Settings()).model == "local-vlm"
    assert make_summarizer(Settings(summarizer="offline")).model == "offline"
