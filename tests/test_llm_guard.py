"""What an LLM may do wrong, against a real HTTP server speaking the OpenAI streaming protocol
from a script (tests/servers.py): stop mid-sentence, hit its token limit, mix [NO_ANSWER]
with an answer, cite what its sources don't say or don't exist, stream forever, stream a
megabyte. The engine is the real one over the seed (real e5, real Chroma)."""
from __future__ import annotations

import threading
import time

import pytest

from rag.llm import LLMConfig
from seed_engine import seed_engine_fixture
from servers import scripted_llm

pytestmark = pytest.mark.slow
Q_FUND = "How large is Sichuan's annual special fund for cultural productions?"
GOOD = "Sichuan's annual special fund for high-quality cultural productions is RMB 300 million [1]. "


engine = seed_engine_fixture("guard-engine")


def _cfg(url: str, **kw) -> LLMConfig:
    return LLMConfig(base_url=url, model="scripted", **{"timeout_s": 10, "deadline_s": 20, **kw})


def _ask(engine, script, **kw):
    with scripted_llm(script) as (url, srv):
        t = time.monotonic()
        answer = engine.ask(Q_FUND, backend="llm", llm=_cfg(url, **kw))
        return answer, time.monotonic() - t, srv


def test_a_complete_supported_answer_is_kept_and_checked(engine):
    answer, _, _ = _ask(engine, {"chunks": [GOOD[:30], GOOD[30:]]})
    assert answer.backend == "llm:scripted" and not answer.abstained and answer.notice == ""
    assert "300 million" in answer.text and answer.citations[0].paragraph_id.endswith("#p05")
    assert [s.supported for s in answer.sentences] == [True]


@pytest.mark.parametrize("finish, why", [(None, "stream ended"), ("length", "token limit")])
def test_a_cut_off_answer_keeps_only_finished_sentences(engine, finish, why):
    answer, _, _ = _ask(engine, {"chunks": [GOOD, "The fund is RMB 3"], "finish": finish})
    assert answer.backend == "llm:scripted" and why in answer.notice
    assert answer.text.rstrip().endswith("[1].") and "RMB 3\n" not in answer.text and not answer.text.endswith("RMB 3")
    assert len(answer.sentences) == 1


def test_no_answer_mixed_with_text_is_an_abstention(engine):
    answer, _, _ = _ask(engine, {"chunks": ["The fund is large [1]. ", "[NO_ANSWER] ", "It was founded in 1950."]})
    assert answer.abstained and "treated as no answer" in answer.notice
    assert "1950" not in answer.text


def test_a_wrong_figure_is_not_shown_as_grounded(engine):
    answer, _, _ = _ask(engine, {"chunks": ["Sichuan's fund is RMB 5 billion [1]."]})
    assert answer.backend == "extractive" and "not supported" in answer.notice
    assert "5 billion" not in answer.text and "300 million" in answer.text


def test_unsupported_and_uncited_sentences_are_flagged(engine):
    answer, _, _ = _ask(engine, {"chunks": [GOOD, "It also funds space travel. ", "See also [7] and [8]."]})
    assert answer.backend == "llm:scripted"
    assert [s.supported for s in answer.sentences] == [True, False]
    assert "See also" not in answer.text and answer.dropped_markers == [7, 8]
    assert "not supported" in answer.notice


def test_a_slow_drip_is_cut_at_the_total_deadline(engine):
    answer, seconds, srv = _ask(engine, {"chunks": [GOOD] + ["More. "] * 100, "delay": 0.3}, deadline_s=2.0)
    assert seconds < 6, seconds
    assert "took longer than 2s" in answer.notice and "300 million" in answer.text


def test_a_megabyte_answer_is_capped(engine):
    answer, seconds, _ = _ask(engine, {"chunks": [GOOD] + ["Also true [1]. " * 1000] * 70}, max_chars=2000)
    assert seconds < 15, seconds
    assert len(answer.text) < 2500 and "characters" in answer.notice


def test_offline_questions_do_not_wait_for_llm_slots(engine, monkeypatch):
    """Every LLM slot is held by a slow answer: an offline question is answered at once, and
    another LLM question falls back to offline after its short wait instead of queueing."""
    import rag.answerers as answerers_module
    monkeypatch.setattr(answerers_module, "LLM_SLOT_WAIT_S", 1.0)
    slots = engine.settings.llm_concurrency
    with scripted_llm({"chunks": [GOOD] + ["Slow. "] * 30, "delay": 0.25}) as (url, srv):
        threads = [threading.Thread(target=engine.ask, args=(Q_FUND,), kwargs={"backend": "llm", "llm": _cfg(url)})
                   for _ in range(slots)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 20
        while len(srv.requests) < slots:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        t = time.monotonic()
        offline = engine.ask("有多少个影视项目签约?", backend="offline")
        assert time.monotonic() - t < 5 and "11" in offline.text
        busy = engine.ask(Q_FUND, backend="llm", llm=_cfg(url))
        assert busy.backend == "extractive" and "slots are busy" in busy.notice
        for th in threads:
            th.join(60)


def test_closing_a_streaming_answer_drops_the_connection_and_frees_its_slot(engine):
    """Stop in the UI closes the engine's generator: the endpoint must see its client go
    (it stops generating), and the LLM slot must be free for the next question."""
    with scripted_llm({"chunks": [GOOD] + [f"word{i} " for i in range(400)], "delay": 0.2}) as (url, srv):
        stream = engine.stream(Q_FUND, [], backend="llm", llm=_cfg(url, deadline_s=120))
        words = 0
        for event in stream:
            words += isinstance(event, str) and event.startswith("word")
            if words >= 3:
                break
        stream.close()
        deadline = time.monotonic() + 20
        while not srv.disconnects and time.monotonic() < deadline:
            time.sleep(0.1)
        assert srv.disconnects == 1
        assert engine._llm_slots._value == engine.settings.llm_concurrency
