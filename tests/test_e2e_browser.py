"""Real browser: `streamlit run app.py` driven by headless Chromium through a whole interview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_support import (
    ANSWERED_JS,
    CHROMIUM,
    ROOT,
    chromium_page,
    streamlit_server,
    wait_idle,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium "
                              "(apt-get install -y chromium; .ci/run installs it)"),
]

ARTIFACTS = ROOT / "test-artifacts"
ANSWERS = [
    "DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs and "
    "software for training and inference, like the 15,000 servers I provisioned at Microsoft.",
    "I'd align developer feedback with engineering, as in my VMware governance work, so DGX "
    "Spark tools ship on schedule. <script>alert('xss')</script>",
]
FOLLOW_UP_ANSWER = "I would track adoption with dashboards and keep stakeholders aligned weekly."
WAIT_MS = 60_000


def test_two_question_interview_review_and_markdown_download(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "e2e-streamlit.log"
    with streamlit_server(home, log) as url, chromium_page((1280, 1800)) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        # First run: seeds/ are ingested with visible progress, then the set-up form appears.
        start = page.get_by_role("button", name="Start interview")
        start.wait_for(timeout=WAIT_MS)
        assert page.get_by_text("Notes indexed:").is_visible()  # st.status of the first run
        assert "Offline engine" in page.get_by_test_id("stSidebar").inner_text()
        questions = page.get_by_label("Questions", exact=True)
        questions.fill("2")
        questions.press("Tab")
        start.click()
        page.wait_for_url(re.compile(r"[?&]session=\d+"), timeout=WAIT_MS)

        box = page.get_by_test_id("stChatInputTextArea")
        cards = page.locator("[class*='st-key-scorecard-']")
        summary = page.locator(".st-key-session-summary")
        answered = 0
        main_answers = list(ANSWERS)
        # Two main questions; the interviewer may add follow-ups, answered until the summary.
        wait_idle(page)
        while not summary.is_visible():
            assert answered < 8, "the interview never ended"
            last_question = page.get_by_test_id("stChatMessage").last.inner_text()
            is_follow_up = "Follow-up" in last_question
            text = FOLLOW_UP_ANSWER if is_follow_up or not main_answers else main_answers.pop(0)
            box.wait_for(timeout=WAIT_MS)
            box.fill(text)
            box.press("Enter")
            answered += 1
            page.wait_for_function(ANSWERED_JS, arg=[answered], timeout=WAIT_MS)
        assert not main_answers, "fewer than two main questions were asked"
        assert cards.count() == answered
        first_card = cards.first.inner_text()
        assert "Score" in first_card and "/100" in first_card and "Key points" in first_card
        # The answer's HTML is shown as text, never run.
        assert "<script>alert('xss')</script>" in page.get_by_test_id("stMain").inner_text()
        assert not dialogs
        assert "Session summary" in summary.inner_text()
        page.screenshot(path=str(ARTIFACTS / "e2e-interview.png"))

        # Review: the session is listed, and its Markdown downloads.
        page.get_by_test_id("stSidebarNav").get_by_text("Review").click()
        page.get_by_role("heading", name="Review").wait_for(timeout=WAIT_MS)
        download_button = page.get_by_role("button", name="Download Markdown")
        download_button.wait_for(timeout=WAIT_MS)
        # The transcript's caption, which names the prompt set, is drawn after the export
        # buttons: under load the button can be there before it.
        page.get_by_text(re.compile(r"Prompt set\s+hiring-manager")).wait_for(timeout=WAIT_MS)
        assert "hiring-manager" in page.get_by_test_id("stMain").inner_text()
        with page.expect_download(timeout=WAIT_MS) as info:
            download_button.click()
        download = info.value
        name = download.suggested_filename
        assert re.fullmatch(r"prep-agent-session-1-[0-9-]+-hiring-manager\.md", name), name
        target = ARTIFACTS / name
        download.save_as(str(target))
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Prep Agent session 1")
        assert "Prompt set: hiring-manager" in text
        assert ANSWERS[0][:40] in text and "Score:" in text
        page.screenshot(path=str(ARTIFACTS / "e2e-review.png"))
