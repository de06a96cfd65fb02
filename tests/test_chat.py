"""rag.ui.chat's Stop bookkeeping (pure logic; the real Stop is in test_browser.py::test_bug5)."""
from __future__ import annotations

from types import SimpleNamespace as NS

from rag.ui.chat import STOPPED, ChatHandler


def test_stop_keeps_what_had_arrived_as_a_stopped_turn_and_nothing_else():
    chat = ChatHandler(engine=None)
    before = [{"n": 1, "question": "q1", "answer": {"answer": "a1", "outcome": "answer"}, "titles": {}}]
    me, other = NS(session_hash="me"), NS(session_hash="other")
    chat._keep("me", before, "q2", "The conference was held in Chengdu [1")
    chat._keep("other", [], "x", "another session's answer")
    messages, status, turns = chat.stopped(me)
    assert [t["question"] for t in turns] == ["q1", "q2"] and STOPPED.split(" —")[0] in status
    assert turns[-1]["answer"]["outcome"] == "stopped" and turns[-1]["answer"]["answer"].startswith("The conference")
    assert "Stopped" in messages[-1]["content"] and len(messages) == 4
    # once: a second Stop (or one after the answer finished) changes nothing (gradio skips)
    assert not isinstance(chat.stopped(me)[2], list)
    # Stop before anything arrived: the conversation as it was, without the pending bubble
    chat._keep("other", before, "q2", "")
    assert chat.stopped(other)[2] == before
    chat._keep("me", before, "q3", "partial")
    chat._done("me")                                   # the answer finished first
    assert not isinstance(chat.stopped(me)[2], list)
