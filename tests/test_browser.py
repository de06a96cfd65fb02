"""A real headless Debian chromium drives the chat page end to end (playwright's python API
with executable_path; playwright's own browser download does not work offline)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

import apphelpers
from _corpus import ROOT, SEED_ID

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="session")
def browser_app():
    if not CHROMIUM.exists():
        if os.environ.get("RAG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and RAG_REQUIRE_BROWSER=1 (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); set RAG_REQUIRE_BROWSER=1 to fail instead")
    server = apphelpers.acquire_shared()
    yield server
    apphelpers.release_shared()


@pytest.fixture
def page(browser_app):
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            pg = context.pages[0] if context.pages else context.new_page()
            pg.set_default_timeout(90_000)
            yield pg
        finally:
            context.close()


def _ask(page, question: str, n_answers: int) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    bot = page.locator("#chatbot .message.bot, #chatbot [data-testid='bot']")
    page.wait_for_function(
        """([n]) => {
            const msgs = document.querySelectorAll('#chatbot [data-testid="bot"], #chatbot .message.bot');
            if (msgs.length < n) return false;
            const last = msgs[msgs.length - 1];
            return last.querySelector('a.cite') !== null || /未找到答案|No answer found/.test(last.innerText);
        }""", arg=[n_answers])
    assert bot.count() >= n_answers


def test_chat_in_chinese_then_english(page, browser_app):
    page.goto(browser_app.url)
    page.locator("#question textarea").wait_for()

    _ask(page, "微短剧审查时效提升了多少?", 1)
    card = page.locator("#sources .source-card").first
    card.wait_for()
    assert f"{SEED_ID}#p05" in card.inner_text()
    assert card.locator("mark").count() >= 1
    last = page.locator("#chatbot [data-testid='bot']").last
    assert "50%" in last.inner_text()

    # the [1] link jumps to the card
    page.locator("#chatbot a.cite").last.click()
    page.wait_for_timeout(500)
    assert page.locator("#src-1").is_visible()

    _ask(page, "How large is Sichuan's annual special fund for cultural productions?", 2)
    page.wait_for_function("() => /300 million/.test(document.querySelector('#chatbot').innerText)")
    assert page.locator("#sources .source-card").count() >= 1
    assert "extractive" in page.locator("#sources").inner_text()
    # escaped, not executed: no script element came from the answer or the sources
    assert page.locator("#sources script, #chatbot script").count() == 0

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-chat.png"), full_page=True)
