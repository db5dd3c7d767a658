"""The CLI's analysis cache: the same file content reuses its analysis; a changed file or engine version does not."""

import json

import pymupdf
import pytest

from buildtrace_assets.engine.analysis import ANALYSIS_VERSION, analyze_document, file_sha256
from buildtrace_assets.engine.analysis_cache import AnalysisCache, engine_version
from buildtrace_assets.engine.compare import compare_documents


def _sheet(path, number: str, note: str = "GENERAL NOTES"):
    doc = pymupdf.open()
    page = doc.new_page(width=792, height=612)
    page.draw_rect(pymupdf.Rect(36, 36, 756, 576), width=1)
    page.insert_text((72, 100), note, fontsize=10)
    page.insert_text((600, 560), f"SHEET {number} FLOOR PLAN", fontsize=9)
    doc.save(path)
    return path


@pytest.fixture
def cache(tmp_path):
    return AnalysisCache(tmp_path / "analyses", engine="1.0+analysis1")


def test_an_analysis_is_found_again_by_the_content_of_its_file(tmp_path, cache):
    path = _sheet(tmp_path / "a.pdf", "A-101")
    analysis = analyze_document(path)
    cache.put(analysis)
    copy = tmp_path / "renamed.pdf"
    copy.write_bytes(path.read_bytes())
    found = cache.get(copy)
    assert found is not None and found.to_json() == analysis.to_json()


def test_a_changed_file_is_not_given_the_old_analysis(tmp_path, cache):
    path = _sheet(tmp_path / "a.pdf", "A-101")
    cache.put(analyze_document(path))
    _sheet(path, "A-102")
    assert cache.get(path) is None


def test_another_engine_version_does_not_reuse_the_entry(tmp_path, cache):
    path = _sheet(tmp_path / "a.pdf", "A-101")
    cache.put(analyze_document(path))
    assert AnalysisCache(cache.folder, engine="1.1+analysis1").get(path) is None


def test_the_engine_version_names_the_release_the_format_and_the_engine_source():
    assert engine_version().split("+")[1] == f"analysis{ANALYSIS_VERSION}"
    assert engine_version() == engine_version()


def test_an_unreadable_entry_is_recomputed_not_a_failure(tmp_path, cache):
    path = _sheet(tmp_path / "a.pdf", "A-101")
    analysis = analyze_document(path)
    cache.put(analysis)
    (cache.folder / f"{analysis.sha256}.json").write_text("{not json")
    assert cache.get(path) is None


def test_a_comparison_keeps_both_analyses_and_the_next_one_reuses_them(tmp_path, cache):
    old = _sheet(tmp_path / "old.pdf", "A-101")
    new = _sheet(tmp_path / "new.pdf", "A-101", "GENERAL NOTES REVISED")
    compare_documents(old, new, tmp_path / "first", dpi=72, cache=cache)
    entry = cache.folder / f"{file_sha256(new)}.json"
    assert len(list(cache.folder.glob("*.json"))) == 2 and entry.is_file()
    stored = json.loads(entry.read_text())
    stored["analysis"]["pages"][0]["sheet"]["title"] = "WRITTEN BY THE FIRST RUN"
    entry.write_text(json.dumps(stored))
    document = compare_documents(old, new, tmp_path / "second", dpi=72, cache=cache)
    assert [sheet["title"] for sheet in document["sheets"]] == ["WRITTEN BY THE FIRST RUN"]
