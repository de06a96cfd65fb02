"""The LLM path against a REAL OpenAI-compatible server (llama-server + SmolLM2-135M, started
and stopped here), and its failure modes against a real misbehaving HTTP server. Checks
structure, streaming and citation handling, not the tiny model's knowledge."""
from __future__ import annotations

import re

import pytest

from rag.answer import Answer
from rag.errors import LLMError
from rag.llm import LLM, LLMConfig
from seed_engine import seed_engine_fixture
from servers import fault_server, free_port, llama_server

pytestmark = [pytest.mark.slow, pytest.mark.llm]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with llama_server(tmp_path_factory.mktemp("llama") / "llama-server.log") as base_url:
        yield base_url


engine = seed_engine_fixture("llm-engine")


def _cfg(base_url: str, timeout: float = 120.0) -> LLMConfig:
    return LLMConfig(base_url=base_url, model="smollm2", timeout_s=timeout, max_tokens=128)


def test_llm_answer_streams_and_is_checked_before_it_is_shown(engine, server):
    """The tiny model's answers are mostly wrong: what is tested is that the real stream
    arrives in pieces and that its answer is then either kept with every sentence checked and
    every marker valid, or not used, saying why (never shown as grounded unchecked)."""
    events = list(engine.stream("How many high-quality projects were signed at the signing ceremony?",
                                backend="llm", llm=_cfg(server)))
    answer = events[-1]
    assert isinstance(answer, Answer)
    streamed = "".join(e for e in events[:-1] if isinstance(e, str))
    assert len([e for e in events[:-1] if isinstance(e, str)]) > 2, "the answer arrives as a stream of deltas"
    assert answer.timings_ms["generate"] > 0
    n = len(answer.retrieved)
    if answer.backend == "llm:smollm2":
        assert answer.sentences and all(s.supported in (True, False) for s in answer.sentences)
        assert any(s.supported for s in answer.sentences)
        assert ("not supported" in answer.notice) == (not all(s.supported for s in answer.sentences))
        for m in re.findall(r"\[(\d+)\]", answer.text):
            assert 1 <= int(m) <= n, "only valid markers survive"
        for c in answer.citations:
            assert c.paragraph_id == answer.retrieved[c.marker - 1].pair.id
    else:
        assert answer.backend == "extractive" and answer.notice.startswith("(LLM answer not used: ")
        assert re.search(r"not supported|cut off|cited only|empty", answer.notice), answer.notice
        assert answer.notice in streamed, "the fallback is announced in the stream too"
        assert "11" in answer.text and answer.citations


def test_llm_condenses_follow_up(engine, server):
    history = [{"role": "user", "content": "What did the Sichuan bureau introduce?"},
               {"role": "assistant", "content": "Joint government-enterprise review and one-stop filing [1]."}]
    answer = engine.ask("And how much faster did reviews become?", history, backend="llm", llm=_cfg(server))
    assert answer.standalone_question != "And how much faster did reviews become?", "the follow-up was rewritten"
    assert answer.timings_ms["condense"] > 0 and answer.timings_ms["generate"] > 0
    assert answer.backend == "llm:smollm2" or answer.notice.startswith("(LLM answer not used: ")


def test_llm_client_complete_against_real_server(server):
    text = LLM(_cfg(server)).complete("Reply with one short sentence.", "Say hello.")
    assert isinstance(text, str) and text.strip()


@pytest.mark.parametrize("mode, needle", [("500", "HTTP 500"), ("garbage", "unusable response|empty answer"),
                                          ("empty", "empty answer")])
def test_bad_llm_responses_fall_back_to_extractive(engine, mode, needle):
    with fault_server(mode) as (url, srv):
        answer = engine.ask("有多少个影视项目签约?", backend="llm", llm=_cfg(url, timeout=10))
    assert answer.backend == "extractive"
    assert re.search(needle, answer.notice), answer.notice
    assert "11个" in answer.text and answer.citations
    assert srv.calls >= 1


def test_slow_llm_times_out_and_falls_back(engine):
    with fault_server("slow", delay=4.0) as (url, srv):
        answer = engine.ask("有多少个影视项目签约?", backend="llm", llm=_cfg(url, timeout=1.0))
    assert answer.backend == "extractive"
    assert "did not answer within" in answer.notice
    assert srv.calls == 1, "no silent retries"


def test_unreachable_llm_falls_back_and_says_so(engine):
    url = f"http://127.0.0.1:{free_port()}/v1"   # nothing listens there
    answer = engine.ask("How many high-quality projects were signed?", backend="llm", llm=_cfg(url, timeout=5))
    assert answer.backend == "extractive"
    assert "cannot reach" in answer.notice and "11" in answer.text


def test_llm_errors_are_typed():
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMError, match="cannot reach the LLM endpoint"):
        LLM(_cfg(url, timeout=3)).complete("s", "u")
