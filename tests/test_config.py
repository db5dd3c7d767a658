"""Settings are read from the environment as pydantic-settings read them, without importing it."""

import pytest
from pydantic import ValidationError

from buildtrace_assets.config import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BUILDTRACE_DPI", "BUILDTRACE_DATA_DIR", "BUILDTRACE_LOG_FORMAT", "OPENAI_API_KEY", "DAGSTER_HOME"):
        monkeypatch.delenv(name, raising=False)


def test_without_variables_the_embedded_defaults_apply():
    settings = Settings()
    assert settings.dpi == 150
    assert settings.summarizer_kind == "offline"


def test_a_prefixed_variable_sets_its_field_whatever_the_case_of_its_name(monkeypatch):
    monkeypatch.setenv("BUILDTRACE_DPI", "200")
    monkeypatch.setenv("buildtrace_log_format", "json")
    settings = Settings()
    assert settings.dpi == 200
    assert settings.log_format == "json"


def test_a_field_with_an_alias_is_read_from_the_variable_of_that_name_without_the_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    settings = Settings()
    assert settings.openai_api_key == "sk-test"
    assert settings.dagster_home == tmp_path


def test_a_keyword_beats_the_environment_whether_given_by_name_or_by_alias(monkeypatch):
    monkeypatch.setenv("BUILDTRACE_DPI", "200")
    monkeypatch.setenv("OPENAI_API_KEY", "from-environment")
    assert Settings(dpi=99).dpi == 99
    assert Settings(openai_api_key="by-name").openai_api_key == "by-name"
    assert Settings(OPENAI_API_KEY="by-alias").openai_api_key == "by-alias"


def test_derived_paths_follow_the_data_dir_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BUILDTRACE_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'buildtrace.db'}"
    assert settings.dagster_home == tmp_path / "dagster"


def test_a_variable_that_does_not_fit_its_field_is_refused(monkeypatch):
    monkeypatch.setenv("BUILDTRACE_DPI", "fine")
    with pytest.raises(ValidationError, match="dpi"):
        Settings()
