"""The app with slow and flooding LLM endpoints (a real scripted OpenAI-compatible server):
offline questions must not queue behind slow LLM answers, and a megabyte answer must end
quickly, capped, with a notice."""
from __future__ import annotations

import json
import time

import pytest

import apphelpers
from servers import scripted_llm

pytestmark = pytest.mark.slow
OFFLINE = "offline (extractive)"
LLM = "OpenAI-compatible endpoint"
GOOD = "Sichuan's annual special fund for high-quality cultural productions is RMB 300 million [1]. "


def _script(body: dict) -> dict:
    user = json.dumps(body.get("messages", []), ensure_ascii=False)
    if "MEGABYTE" in user:
        return {"chunks": [GOOD] + ["x" * 10_000] * 100}
    return {"chunks": [GOOD] + ["Slowly. "] * 200, "delay": 0.2}


@pytest.fixture(scope="module")
def app():
    with scripted_llm(_script) as (url, srv):
        server = apphelpers.start_app(env={"OPENAI_BASE_URL": url, "RAG_LLM_CONCURRENCY": "2",
                                           "RAG_LLM_DEADLINE": "30", "RAG_MAX_ANSWER_CHARS": "4000"})
        try:
            yield server, srv
        finally:
            server.stop()


def _client(app):
    from gradio_client import Client
    return Client(app.url, verbose=False, analytics_enabled=False)


def test_offline_questions_are_answered_while_llm_answers_stream(app):
    server, srv = app
    client = _client(server)
    jobs = [client.submit("How large is Sichuan's annual special fund?", [], 4, LLM, "auto", "", "", "",
                          api_name="/ask") for _ in range(5)]
    deadline = time.monotonic() + 60
    while len(srv.requests) < 2:
        assert time.monotonic() < deadline, "the LLM answers never started"
        time.sleep(0.1)
    t = time.monotonic()
    history, panel, status, details, _ = _client(server).predict("有多少个影视项目签约?", [], 4, OFFLINE, "auto", "", "", "",
                                                                  api_name="/ask")
    waited = time.monotonic() - t
    assert "11" in details["answer"] and waited < 15, waited
    assert not all(job.done() for job in jobs), "the LLM answers should still be streaming"
    for job in jobs:
        job.cancel()


def test_a_megabyte_answer_is_capped_and_ends_quickly(app):
    server, _ = app
    t = time.monotonic()
    history, panel, status, details, _ = _client(server).predict(
        "MEGABYTE: how large is Sichuan's annual special fund?", [], 4, LLM, "auto", "", "", "", api_name="/ask")
    assert time.monotonic() - t < 30
    assert "4000 characters" in details["notice"] and len(history[-1]["content"]) < 20_000
