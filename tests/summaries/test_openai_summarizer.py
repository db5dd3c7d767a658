import base64
import io
import json
import logging

import numpy as np
import pytest
from fixtures.openai_server import Reply, chat_completion, error_body
from PIL import Image
from summaries.summary_samples import change, document, plan_words, revision_document, sheet

from buildtrace_assets.summaries import OpenAIConfig, OpenAISummarizer, SummarizerError
from buildtrace_assets.summaries.images import ImageBudget


def _reply(items, summary="One dimension reduced; keynotes changed."):
    return Reply(body=chat_completion(json.dumps({"summary": summary, "items": items})))


def _item(ids, text="Dimension reduced.", category="dimension", impact="high"):
    return {"change_ids": ids, "category": category, "impact": impact, "reason": "size changed", "text": text}


ALL_ITEMS = [
    _item(["A-101-1"]),
    _item(["A-101-2"], "Added keynotes 11, 14, 15; removed keynotes 4, 6.", "keynote", "medium"),
    _item(["A-101-3", "A-101-4"], "Door D-21 relocated.", "door_window", "medium"),
]


def _summarizer(server, **overrides):
    config = {
        "api_key": "test-key",
        "model": "test-model",
        "base_url": server.base_url,
        "timeout_s": 2.0,
        "max_tokens": 777,
        "backoff_s": 0.01,
    } | overrides
    return OpenAISummarizer(OpenAIConfig(**config))


@pytest.fixture
def crops(tmp_path):
    """A 2000x1000 before crop and a small after crop for change A-101-1."""
    old = tmp_path / "old.png"
    Image.fromarray(np.full((1000, 2000), 200, np.uint8)).save(old)
    new = tmp_path / "new.png"
    Image.fromarray(np.full((40, 80), 90, np.uint8)).save(new)
    doc = revision_document()
    doc["sheets"][0]["changes"][0]["crops"] = {"old": str(old), "new": str(new)}
    doc["sheets"][0]["changes"][2]["crops"] = {"old": str(tmp_path / "missing.png")}
    return doc


def _image_sizes(request):
    sizes = []
    for part in request.json["messages"][1]["content"]:
        if part["type"] == "image_url":
            data = base64.b64decode(part["image_url"]["url"].removeprefix("data:image/png;base64,"))
            sizes.append(Image.open(io.BytesIO(data)).size)
    return sizes


def test_the_request_carries_model_token_limit_change_facts_and_downscaled_crops(openai_server, crops):
    openai_server.enqueue(_reply(ALL_ITEMS))
    _summarizer(openai_server, images=ImageBudget(max_images=4, max_side_px=512)).summarize(
        crops, {"A-101": plan_words()}
    )
    (request,) = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer test-key"
    assert (request.json["model"], request.json["max_tokens"]) == ("test-model", 777)
    assert request.json["response_format"]["type"] == "json_schema"
    facts = request.json["messages"][1]["content"][0]["text"]
    for expected in ("A-101-1", "A-101-2", "A-101-3", "A-101-4", "31'-6 7/8", "at grids B–C/2 in OFFICE 101"):
        assert expected in facts
    captions = [p["text"] for p in request.json["messages"][1]["content"][1:] if p["type"] == "text"]
    assert captions == ["Change A-101-1, before (old sheet):", "Change A-101-1, after (new sheet):"]
    assert _image_sizes(request) == [(512, 256), (80, 40)], "large crops shrink to the budget, small ones stay"


def test_the_image_budget_caps_how_many_crops_are_sent(openai_server, crops):
    openai_server.enqueue(_reply(ALL_ITEMS))
    summary = _summarizer(openai_server, images=ImageBudget(max_images=1)).summarize(crops)
    assert len(_image_sizes(openai_server.requests[0])) == 1
    assert summary.metadata.images_sent == 1


def test_the_reply_becomes_traceable_items_with_usage_in_metadata(openai_server):
    openai_server.enqueue(_reply(ALL_ITEMS))
    summary = _summarizer(openai_server).summarize(revision_document())
    assert summary.summary == "One dimension reduced; keynotes changed."
    assert [(i.sheet, i.change_ids, i.text) for i in summary.items] == [
        ("A-101", ["A-101-1"], "Dimension reduced."),
        ("A-101", ["A-101-2"], "Added keynotes 11, 14, 15; removed keynotes 4, 6."),
        ("A-101", ["A-101-3", "A-101-4"], "Door D-21 relocated."),
        ("A-102", [], "Sheet A-102 SECOND FLOOR PLAN added."),
        ("S-101", [], "Sheet S-101 FOUNDATION PLAN removed."),
    ]
    assert summary.items[0].discipline == "architectural"
    meta = summary.metadata
    assert (meta.summarizer, meta.model, meta.attempts, meta.retries) == ("openai", "gpt-4.1-mini", 1, [])
    assert (meta.usage.prompt_tokens, meta.usage.completion_tokens, meta.usage.total_tokens) == (120, 30, 150)
    assert meta.latency_s > 0


def test_items_with_invented_ids_are_dropped_and_uncovered_ids_listed(openai_server, caplog):
    openai_server.enqueue(_reply([_item(["A-101-1"]), _item(["A-101-99"], "An invented change.")]))
    with caplog.at_level(logging.WARNING):
        summary = _summarizer(openai_server).summarize(revision_document())
    assert [i.change_ids for i in summary.items if i.change_ids] == [["A-101-1"]]
    assert summary.not_summarized == ["A-101-2", "A-101-3", "A-101-4"]
    assert summary.metadata.dropped_items == 1
    assert "A-101-99" in caplog.text


def test_a_rate_limit_is_retried_and_recorded(openai_server, caplog):
    openai_server.enqueue(
        Reply(status=429, body=error_body("slow down", "rate_limit_exceeded"), headers={"Retry-After": "0.01"}),
        _reply(ALL_ITEMS),
    )
    with caplog.at_level(logging.WARNING):
        summary = _summarizer(openai_server).summarize(revision_document())
    assert len(openai_server.requests) == 2
    assert summary.metadata.attempts == 2
    assert summary.metadata.retries == ["HTTP 429: slow down"]
    assert "retrying" in caplog.text


def test_server_errors_until_the_last_attempt_raise_a_summarizer_error(openai_server):
    openai_server.enqueue(*[Reply(status=500, body=error_body("boom"))] * 3)
    with pytest.raises(SummarizerError, match="after 3 attempts: HTTP 500: boom") as failure:
        _summarizer(openai_server, max_attempts=3).summarize(revision_document())
    assert failure.value.attempts == 3
    assert len(openai_server.requests) == 3


def test_a_reply_that_is_not_json_raises_a_summarizer_error(openai_server):
    openai_server.enqueue(Reply(body=chat_completion("Here is your summary: {not json")))
    with pytest.raises(SummarizerError, match="does not match the summary schema"):
        _summarizer(openai_server).summarize(revision_document())


def test_a_reply_off_schema_raises_a_summarizer_error(openai_server):
    openai_server.enqueue(Reply(body=chat_completion(json.dumps({"summary": "x", "items": [{"text": "no ids"}]}))))
    with pytest.raises(SummarizerError, match="does not match the summary schema"):
        _summarizer(openai_server).summarize(revision_document())


def test_a_client_error_is_not_retried(openai_server):
    openai_server.enqueue(Reply(status=400, body=error_body("image too large", "invalid_request_error")))
    with pytest.raises(SummarizerError, match="refused the request: HTTP 400: image too large"):
        _summarizer(openai_server).summarize(revision_document())
    assert len(openai_server.requests) == 1


def test_a_server_slower_than_the_timeout_fails_after_the_retries(openai_server):
    openai_server.enqueue(*[Reply(delay_s=1.0, body=chat_completion("{}"))] * 2)
    with pytest.raises(SummarizerError, match="after 2 attempts: request timed out"):
        _summarizer(openai_server, timeout_s=0.2, max_attempts=2).summarize(revision_document())


def test_bad_input_fails_before_any_request(openai_server):
    with pytest.raises(ValueError, match=r"buildtrace.changes/v1"):
        _summarizer(openai_server).summarize(document(sheet("A-1", "modified", [change("x", "odd", [0, 0, 1, 1])])))
    assert openai_server.requests == []


def test_the_model_is_told_of_moves_and_re_plots_and_the_summary_always_says_re_plotted(openai_server):
    moved = change(
        "A-101-1",
        "moved",
        [560, 600, 640, 612],
        "GREAT ROOM",
        "GREAT ROOM",
        from_bbox=[452, 600, 532, 612],
        offset={"dx": 108, "dy": 0, "distance": 108, "direction": "right", "drawing_distance": "12'-0\""},
        group="item",
    )
    half = sheet("A-101", "modified", [moved])
    half["alignment"] = {"matrix": [[0.5, 0, 0], [0, 0.5, 0]], "score": 0.9, "scale": 0.5}
    openai_server.enqueue(_reply([_item(["A-101-1"], "Room tag GREAT ROOM moved 12'-0\" east.", "room", "low")]))

    summary = _summarizer(openai_server).summarize(document(half))

    facts = json.loads(openai_server.requests[0].json["messages"][1]["content"][0]["text"].split("\n", 1)[1])
    assert facts["sheets"][0]["replotted_at"] == "50%"
    assert facts["changes"][0]["moved"] == {
        "what": "one block",
        "by": "12'-0\" east",
        "from_bbox_pt": [452, 600, 532, 612],
    }
    assert summary.summary.endswith("A-101 re-plotted at 50%.")


def test_an_item_the_model_files_as_other_gets_its_changes_category(openai_server):
    openai_server.enqueue(_reply([_item(["A-101-1"], category="other"), _item(["A-101-4"], category="other")]))
    summary = _summarizer(openai_server).summarize(revision_document())
    assert [(i.change_ids, i.category, i.discipline) for i in summary.items if i.change_ids] == [
        (["A-101-1"], "dimension", "architectural"),
        (["A-101-4"], "door_window", "architectural"),
    ]
