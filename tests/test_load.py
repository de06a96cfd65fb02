"""Load: 20 users at once on the real app (`python app.py` in a subprocess, tests/apphelpers.py),
each with its own gradio_client.Client (its own session), each asking its own question and then
a follow-up that only makes sense with its OWN history ("那它的具体数字是多少?" / "What exactly was
its figure?"). Every answer must come back, cite the paragraph of that user's question, and carry
only that user's messages: no cross-talk between sessions under concurrency.

Latency (p50/p95) is printed, never asserted: the box is shared and the app queues 4 at a time.
Loopback only (the app listens on 127.0.0.1; tests/_netguard.py blocks anything else).
"""
from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest

import apphelpers
from _corpus import SEED_ID

OFFLINE = "offline (extractive)"
USERS = 20
TOTAL_TIMEOUT_S = 900.0          # the whole concurrent run (40 answers) must finish within this
FOLLOW_UP = {"zh": "那它的具体数字是多少?", "en": "What exactly was its figure?"}

# (question, expected paragraph): different for every user, zh/en mixed, all from the seed.
QUESTIONS: list[tuple[str, str]] = [
    ("微短剧审查时效提升了多少?", "p05"),
    ("How much faster did micro-drama reviews become?", "p05"),
    ("四川省每年文艺精品专项资金有多少?", "p05"),
    ("How large is Sichuan's annual special fund for cultural productions?", "p05"),
    ("有多少个影视项目签约?", "p10"),
    ("How many film and television projects were signed at the ceremony?", "p10"),
    ("成渝影视发展大会至今已成功举办几届?", "p11"),
    ("How many iterations of the Chengdu-Chongqing conference have been convened to date?", "p11"),
    ("成都市出台了哪些促进影视产业发展的政策?", "p07"),
    ("Which Chengdu policy promotes the development of the film and television industries?", "p07"),
    ("AIGC创新伙伴计划由哪些单位共同发起?", "p08"),
    ("Who launched the AIGC innovation partnership program?", "p08"),
    ("2025成渝影视发展大会在哪里举行?", "p01"),
    ("On what date was the 2025 Chengdu-Chongqing conference convened?", "p01"),
    ("重庆市重大文艺精品项目资助和奖励办法由谁牵头制定?", "p06"),
    ("Who spearheaded Chongqing's measures for funding major literary and artistic projects?", "p06"),
    ("四川促成了几个国家级视听产业基地落地成都?", "p09"),
    ("How many national-level audio-visual industry bases has Sichuan established?", "p09"),
    ("政策发布环节川渝两地形成了什么?", "p04"),
    ("What did Sichuan and Chongqing deliver during the policy announcement segment?", "p04"),
]


def _lang(text: str) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


@dataclass
class Turn:
    question: str
    history: list
    panel: str
    status: str
    details: dict | None
    seconds: float


@dataclass
class User:
    n: int
    question: str
    pid: str
    follow_up: str
    turns: list[Turn] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False


@pytest.fixture(scope="module")
def app():
    server = apphelpers.acquire_shared()
    yield server
    apphelpers.release_shared()


def _raw(message) -> str:
    content = message["content"]
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def _plain(message) -> str:
    import html
    return html.unescape(_raw(message))


def _run_user(user: User, url: str, start: threading.Barrier, deadline: float) -> None:
    from gradio_client import Client
    try:
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        start.wait(timeout=max(1.0, deadline - time.monotonic()))
        conversation: list = []
        for question in (user.question, user.follow_up):
            t = time.perf_counter()
            job = client.submit(question, conversation, 4, OFFLINE, "auto", "", "", "", api_name="/ask")
            history, panel, status, details, conversation = job.result(timeout=max(1.0, deadline - time.monotonic()))
            user.turns.append(Turn(question, history, panel, status, details, time.perf_counter() - t))
        user.done = True
    except BaseException as exc:  # noqa: BLE001 - reported by the test, with the user's number
        user.error = exc


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@pytest.mark.slow
def test_twenty_concurrent_users_each_get_their_own_cited_answers(app):
    import rag  # noqa: F401  - quiet env (no gradio telemetry) before gradio_client is imported

    assert len({q for q, _ in QUESTIONS}) == USERS
    users = [User(n, q, f"{SEED_ID}#{pid}", FOLLOW_UP[_lang(q)]) for n, (q, pid) in enumerate(QUESTIONS)]
    deadline = time.monotonic() + TOTAL_TIMEOUT_S
    start = threading.Barrier(USERS)
    threads = [threading.Thread(target=_run_user, args=(u, app.url, start, deadline), daemon=True,
                                name=f"user-{u.n}") for u in users]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    wall = time.perf_counter() - t0

    hung = [t.name for t in threads if t.is_alive()]
    assert not hung, f"still running after {TOTAL_TIMEOUT_S:.0f}s: {hung}\n{app.log()[-3000:]}"
    failed = {u.n: f"{type(u.error).__name__}: {u.error}" for u in users if u.error is not None}
    assert not failed, f"{failed}\n{app.log()[-3000:]}"
    assert all(u.done and len(u.turns) == 2 for u in users)

    first = [u.turns[0].seconds for u in users]
    every = [t.seconds for u in users for t in u.turns]
    print(f"\n{USERS} concurrent users × 2 questions in {wall:.1f}s wall: "
          f"first question p50={statistics.median(first):.2f}s p95={_percentile(first, 0.95):.2f}s; "
          f"all {len(every)} answers p50={statistics.median(every):.2f}s p95={_percentile(every, 0.95):.2f}s "
          f"max={max(every):.2f}s")

    others_questions = {u.n: {v.question for v in users if v.n != u.n} for u in users}
    for u in users:
        for turn_no, turn in enumerate(u.turns):
            where = f"user {u.n} ({u.question!r}) turn {turn_no + 1}"
            d = turn.details
            assert d is not None, f"{where}: no answer details; status={turn.status!r}"
            assert d["answer"].strip(), where
            assert d["question"] == turn.question, f"{where}: answered {d['question']!r}"
            cited = [c["paragraph_id"] for c in d["citations"]]
            standalone = d["standalone_question"]
            if turn_no == 0:
                assert not d["abstained"], f"{where}: {d['answer']!r} (support {d['support']})"
                assert u.pid in cited, f"{where}: cites {cited}, expected {u.pid}; answer {d['answer']!r}"
                assert u.pid in turn.panel and 'class="source-card"' in turn.panel, where
                assert standalone == u.question, f"{where}: {standalone!r}"
            else:
                # the follow-up ("what exactly was its figure?") was resolved against this user's own
                # first question: it searched that user's paragraph (a question with no figure in its
                # paragraph may rightly be declined)
                assert standalone != u.follow_up, f"{where}: not resolved: {standalone!r}"
                searched = cited + [h["paragraph_id"] for h in d.get("retrieved") or []]
                assert d["abstained"] or u.pid in cited, f"{where}: cites {cited}, expected {u.pid}"
                assert u.pid in searched or d["abstained"], f"{where}: {standalone!r} found {searched}"
            leaked = [q for q in others_questions[u.n] if q in standalone]
            assert not leaked, f"{where}: another user's question in the standalone query: {leaked}"

            # the chat history this client got back holds only its own messages
            history = turn.history
            assert [m["role"] for m in history] == ["user", "assistant"] * (turn_no + 1), f"{where}: {history}"
            users_said = [_plain(m) for m in history if m["role"] == "user"]
            assert users_said == [u.question, u.follow_up][:turn_no + 1], f"{where}: {users_said}"
            assert all(_plain(m) for m in history), f"{where}: an empty message in {history}"
            if not d["abstained"]:
                assert 'href="#src-' in _raw(history[-1]), f"{where}: no citation link in {history[-1]}"
        assert u.turns[1].history[:2] == u.turns[0].history, f"user {u.n}: the first turn changed"
