"""The web app over its API: `python app.py` in a subprocess (fresh tmp index, the seed copied in),
driven with gradio_client. Also fast unit tests of the UI's escaping and upload-name rules."""
from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path

import pytest

import apphelpers
from _corpus import EXTRA_DOCS, SEED, SEED_ID

OFFLINE = "offline (extractive)"
LLM = "OpenAI-compatible endpoint"


# ------------------------------------------------------------------ unit: no server ----
@pytest.mark.parametrize("name,ok", [
    ("notes.txt", "notes.txt"), ("笔记 2025.md", "笔记_2025.md"), ("a$b%c.TXT", "a_b_c.txt"),
])
def test_safe_name_accepts_and_sanitizes(name, ok):
    from rag.ui.sources_tab import safe_name
    assert safe_name(name) == ok


@pytest.mark.parametrize("name,why", [
    ("../evil.txt", "path"), ("..evil.txt", "path"), ("a/b.txt", "path"), ("a\\b.txt", "path"),
    ("evil\x00.txt", "control"), ("ev\nil.txt", "control"), (".hidden.txt", "hidden"),
    ("report.pdf", "unsupported"), ("noext", "unsupported"), ("$$$.txt", "usable"), ("", "no name"),
])
def test_safe_name_rejects(name, why):
    from rag.ui.sources_tab import UploadRejected, safe_name
    with pytest.raises(UploadRejected, match=why):
        safe_name(name)


def test_save_uploads_never_overwrites_or_escapes(tmp_path):
    from rag.ui.sources_tab import save_uploads
    src_dir, incoming = tmp_path / "sources", tmp_path / "uploads" / "h"
    src_dir.mkdir()
    incoming.mkdir(parents=True)
    where = dict(upload_root=tmp_path / "uploads", backup_dir=tmp_path / "backups")
    (src_dir / "a.txt").write_text("原文。\nOriginal.\n", encoding="utf-8")
    new = incoming / "a.txt"
    new.write_text("新的。\nNew.\n", encoding="utf-8")
    res = save_uploads([str(new)], src_dir, 10_000, **where)
    assert not res.saved and "already exists" in res.rejected[0]
    assert (src_dir / "a.txt").read_text(encoding="utf-8") == "原文。\nOriginal.\n"
    res = save_uploads([str(new)], src_dir, 10_000, replace=True, **where)
    assert res.saved and (src_dir / "a.txt").read_text(encoding="utf-8") == "新的。\nNew.\n"
    (incoming / "a.md").write_text("# T\n\n正文。\n", encoding="utf-8")
    res = save_uploads([str(incoming / "a.md")], src_dir, 10_000, **where)
    assert "document id" in res.rejected[0]
    assert sorted(p.name for p in src_dir.iterdir()) == ["a.txt"]


def _turn(n, text, citations, sentences, **extra):
    return {"n": n, "question": f"q{n}", "titles": {"d": "A <b>title</b>"},
            "answer": {"answer": text, "language": "en", "abstained": False, "outcome": "answer",
                       "backend": "extractive", "citations": citations, "sentences": sentences, **extra}}


def test_rendering_escapes_source_and_answer_text():
    from rag.ui.render import answer_html, chat_messages, sources_html
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    c = {"marker": 1, "paragraph_id": "d#p01", "doc": "d", "section": "<b>s</b>", "text_zh": "中文<script>x</script>。",
         "text_en": f"English {evil}. Quote here.", "quote": "Quote here.", "quote_zh": "", "quote_en": "Quote here."}
    turn = _turn(1, f"Bad {evil} text[1].", [c], [{"text": f"Bad {evil} text.", "markers": [1], "supported": True}])
    body = answer_html(turn)
    assert "<script" not in body and "<img" not in body and "&lt;script&gt;" in body and "\\" not in body
    assert 'href="#src-1-1"' in body and 'class="cite"' in body
    page = sources_html([turn])
    assert "<script" not in page and "<img" not in page and "<b>s</b>" not in page and "<b>title</b>" not in page
    assert 'id="src-1-1"' in page and "<mark>Quote here.</mark>" in page
    assert "no aligned sentence" in page.lower() or "此侧无对应句" in page      # zh side has no aligned sentence
    assert chat_messages([turn])[0]["content"] == "q1"


def test_each_turn_links_to_its_own_cards_and_flags_unsupported_sentences():
    from rag.ui.render import answer_html, sources_html
    c1 = {"marker": 1, "paragraph_id": "d#p04", "doc": "d", "text_zh": "甲。", "text_en": "A.", "quote": "A."}
    c2 = {"marker": 1, "paragraph_id": "d#p06", "doc": "d", "text_zh": "乙。", "text_en": "B.", "quote": "B."}
    first = _turn(1, "A[1].", [c1], [{"text": "A.", "markers": [1], "supported": True}])
    second = _turn(2, "B[1]. Also wrong[1].", [c2], [{"text": "B.", "markers": [1], "supported": True},
                                                    {"text": "Also wrong.", "markers": [1], "supported": False}])
    assert 'href="#src-1-1"' in answer_html(first) and 'href="#src-2-1"' in answer_html(second)
    assert answer_html(second).count('class="flag"') == 1 and 'class="flag"' not in answer_html(first)
    page = sources_html([first, second])
    assert 'id="src-1-1" data-paragraph-id="d#p04"' in page and 'id="src-2-1" data-paragraph-id="d#p06"' in page
    assert page.index('id="turn-2"') < page.index('id="turn-1"')          # newest first, open


def test_a_correction_and_a_given_only_for_another_answer_get_their_own_badge_and_status():
    from rag.ui.render import answer_html, status_html
    corrected = _turn(1, "The sources say otherwise[1].", [], [], outcome="correct",
                      verdict={"outcome": "correct", "not_for": False})
    not_for = _turn(2, "The sources give no such information for “Chongqing”[1].", [], [], outcome="correct",
                    verdict={"outcome": "correct", "not_for": True})
    assert 'badge correct' in answer_html(corrected) and "not-for" not in answer_html(corrected)
    assert 'badge abstain not-for' in answer_html(not_for) and "badge correct" not in answer_html(not_for)
    assert "corrected" in status_html(corrected["answer"]) and "declined" not in status_html(corrected["answer"])
    assert "declined" in status_html(not_for["answer"]) and "corrected" not in status_html(not_for["answer"])


@pytest.mark.parametrize("secret", ["sk-SECRETTEST-abcdef12", "sk_secret_key_9", "key.with.dots.42", "a+b+c+secret",
                                    "path/like/secret7"])
def test_keys_are_masked_before_escaping(secret):
    from rag.ui.render import answer_html, mask, status_html
    data = {"answer": f"The key is {secret}.", "notice": f"endpoint said {secret}", "backend": f"llm:{secret}",
            "outcome": "answer", "sentences": [{"text": f"The key is {secret}.", "markers": []}], "citations": []}
    masked = mask(data, [secret])
    shown = answer_html({"n": 1, "question": "q", "answer": masked}) + status_html(masked)
    assert secret not in shown and "***" in shown
    for part in (secret.split("-")[-1], secret.split("_")[-1], secret.split(".")[-1]):
        assert part not in shown or len(part) < 4


def test_a_key_streamed_over_several_chunks_never_shows_in_part():
    """An endpoint echoing a key split over chunks: every partial text shown while streaming
    holds back a tail that could be the key's beginning, and the whole key is masked."""
    from rag.ui.render import mask_stream
    key = "sk-SECRETTEST-abcdef12"
    full = f"Your key is {key} (again: {key}). Done."
    for cut in range(len(full) + 1):
        shown = mask_stream(full[:cut], [key])
        assert "SECRET" not in shown and "sk-S" not in shown, (cut, shown)
        assert full[:cut].startswith(shown.split("***")[0])
    assert mask_stream(full, [key]) == "Your key is *** (again: ***). Done."
    assert mask_stream("ends with s", [key]) == "ends with "            # could be "sk-…": held back


# ------------------------------------------------------------------ the real app ----
@pytest.fixture(scope="session")
def app():
    server = apphelpers.acquire_shared()
    yield server
    apphelpers.release_shared()


@pytest.fixture(scope="session")
def client(app):
    import rag  # noqa: F401  - sets GRADIO_ANALYTICS_ENABLED=False etc. before the client reads them
    from gradio_client import Client
    return Client(app.url, verbose=False, analytics_enabled=False)


def _text(message) -> str:
    content = message["content"]
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def _ask(client, question, turns=None, backend=OFFLINE, base_url="", model="", api_key="", language="auto"):
    """/ask(question, conversation, top_k, backend, language, base URL, model, key) →
    (chat, source panel, status, answer JSON, conversation)."""
    return client.predict(question, turns or [], 4, backend, language, base_url, model, api_key, api_name="/ask")


def _upload(client, *paths, replace=False):
    from gradio_client import handle_file
    return client.predict([handle_file(str(p)) for p in paths], replace, api_name="/upload")


def _doc_ids(client) -> list[str]:
    table = client.predict(api_name="/documents")
    return [row[1] for row in table["data"]]


@pytest.mark.slow
def test_startup_ingested_the_seed(app, client):
    assert "ingested 1 document(s): added 13" in app.log()
    assert _doc_ids(client) == [SEED_ID]
    assert client.predict(api_name="/documents")["data"][0][2] == 13


@pytest.mark.slow
@pytest.mark.parametrize("question,pid,expect", [
    ("微短剧审查时效提升了多少?", f"{SEED_ID}#p05", "50%"),
    ("How large is Sichuan's annual special fund for cultural productions?", f"{SEED_ID}#p05", "300 million"),
])
def test_ask_cites_the_paragraph(client, question, pid, expect):
    history, panel, status, details, turns = _ask(client, question)
    assert len(turns) == 1 and turns[0]["question"] == question
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = _text(history[-1])
    assert expect in answer and "\\" not in answer and 'href="#src-1-1"' in answer
    assert 'class="source-card"' in panel and pid in panel and "<mark>" in panel
    assert "extractive" in status and details["backend"] == "extractive"
    assert pid in [c["paragraph_id"] for c in details["citations"]]


@pytest.mark.slow
def test_multi_turn_and_streaming_keep_each_turns_sources(client):
    _, _, _, first, turns = _ask(client, "有多少个影视项目签约?")
    job = client.submit("Who launched the AIGC innovation partnership program?", turns, 4, OFFLINE, "auto", "", "", "",
                        api_name="/ask")
    updates = list(job)
    assert len(updates) >= 2, updates
    history, panel, status, details, turns = job.result()
    assert len(history) == 4 and len(turns) == 2 and details["citations"]
    # the first answer's markers still reach the first answer's paragraph
    assert 'href="#src-1-1"' in _text(history[1]) and 'href="#src-2-1"' in _text(history[3])
    first_pid = first["citations"][0]["paragraph_id"]
    assert f'id="src-1-1" data-paragraph-id="{first_pid}"' in panel


@pytest.mark.slow
def test_abstains_on_unrelated_question(client):
    history, panel, status, details, _ = _ask(client, "What is the boiling point of liquid nitrogen on Mars?")
    assert details["abstained"] is True and "abstained" in status, (details["support"], details["answer"])
    assert "nearest" in panel and "source-card" in panel


@pytest.mark.slow
def test_empty_question_is_explained(client):
    history, panel, status, details, turns = _ask(client, "   ")
    assert history == [] and turns == [] and "empty" in status


@pytest.mark.slow
def test_upload_then_reingest_adds_document(app, client, tmp_path):
    path = tmp_path / "201_river.txt"
    path.write_text(EXTRA_DOCS["101_river.txt"], encoding="utf-8")
    msg, docs, _ = _upload(client, path)
    assert "saved" in msg and "201_river.txt" in msg
    assert (app.sources_dir / "201_river.txt").read_text(encoding="utf-8") == EXTRA_DOCS["101_river.txt"]
    job = client.submit(api_name="/reingest")
    report, docs, landing = job.result()
    assert "2 document(s)" in landing
    assert "<th>added</th><th>changed</th><th>removed</th><th>unchanged</th>" in report
    assert "<td>2</td><td>0</td><td>0</td><td>13</td>" in report and "201_river#p01" in report
    assert sorted(r[1] for r in docs["data"]) == sorted([SEED_ID, "201_river"])
    history, panel, status, details, _ = _ask(client, "How many finless porpoises are there in the Yangtze?")
    assert "201_river#p02" in [c["paragraph_id"] for c in details["citations"]]


def _raw_upload(url: str, filename: str, data: bytes) -> str:
    """POST a file to gradio's upload route with an arbitrary (hostile) file name."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url + "gradio_api/upload", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())[0]


@pytest.mark.slow
def test_rejected_uploads_are_explained_and_write_nothing(app, client, tmp_path):
    seed_before = (app.sources_dir / SEED.name).read_bytes()
    before = sorted(p.name for p in app.sources_dir.iterdir())
    outside_before = sorted(p.name for p in app.root.iterdir())

    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02binary\xff\xfe" * 100)
    big = tmp_path / "big.txt"
    big.write_text("大" * (apphelpers.MAX_UPLOAD_BYTES // 3 + 100), encoding="utf-8")
    same = tmp_path / SEED.name
    same.write_text("覆盖。\nOverwrite.\n", encoding="utf-8")
    pdf = tmp_path / "paper.pdf"
    pdf.write_text("not really a pdf", encoding="utf-8")
    msg, *_ = _upload(client, binary, big, same, pdf)
    msg = msg.replace("\\", "")
    assert msg.count("rejected") == 4 and "saved" not in msg
    assert "binary" in msg and "too large" in msg and "already exists" in msg and "unsupported file type" in msg

    # gradio's upload route already drops the directory part of a hostile name; whatever name
    # reaches the app, nothing may land outside the sources folder.
    server_path = _raw_upload(app.url, "../evil.txt", "恶意。\nEvil.\n".encode())
    msg, *_ = client.predict([{"path": server_path, "meta": {"_type": "gradio.FileData"}}], False, api_name="/upload")
    landed = app.sources_dir / Path(server_path).name
    if "saved" in msg:
        assert landed.parent.resolve() == app.sources_dir.resolve() and landed.exists()
        landed.unlink()
    else:
        assert "rejected" in msg

    assert (app.sources_dir / SEED.name).read_bytes() == seed_before
    assert sorted(p.name for p in app.sources_dir.iterdir()) == before
    assert sorted(p.name for p in app.root.iterdir()) == outside_before
    assert not (app.root / "evil.txt").exists()


@pytest.mark.slow
def test_run_eval_endpoint(client, tmp_path):
    src = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"
    small = tmp_path / "questions.jsonl"
    small.write_text("\n".join(src.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    from gradio_client import handle_file
    msg, metrics, results, plot = client.predict("questions.jsonl", handle_file(str(small)), api_name="/run_eval")
    assert "2 question(s)" in msg, msg
    assert metrics["data"] and len(results["data"]) == 2
    assert plot and plot.endswith(".png")
