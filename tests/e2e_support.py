"""Start `streamlit run app.py` on a free loopback port and drive it with headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from servers import answers, free_port, stop, wait_until_answers

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync",
]
# Variables that would let the app reach an LLM or a Chroma server: the browser tests run offline.
ONLINE_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PREP_AGENT_ENGINE", "PREP_AGENT_MODEL",
               "CHROMA_HOST", "CHROMA_PORT", "PREP_AGENT_SEEDS", "PREP_AGENT_PROMPTS")


def _healthy(url: str, route: str = "health", timeout: float = 1.0) -> bool:
    return answers(f"{url}/_stcore/{route}", timeout)


def warm_up(url: str, timeout: float = 120.0) -> None:
    """The readiness probe: GET /_stcore/script-health-check runs app.py once in the server."""
    if not _healthy(url, "script-health-check", timeout):
        raise RuntimeError(f"{url}/_stcore/script-health-check failed: app.py does not run")


@contextmanager
def streamlit_server(home: Path, log: Path, timeout: float = 60.0) -> Iterator[str]:
    """Run the app with PREP_AGENT_HOME=home; yields its URL once /_stcore/health answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ONLINE_VARS}
    env.update(PREP_AGENT_HOME=str(home), PREP_AGENT_ENGINE="offline")
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            failure = wait_until_answers(f"{url}/_stcore/health", proc, timeout, interval=0.1)
            if failure:
                raise RuntimeError(f"streamlit {failure}: see {log}")
            yield url
        finally:
            stop(proc)


@contextmanager
def chromium_page(viewport: tuple[int, int] = (1280, 900)) -> Iterator[Any]:
    """A Playwright page in Debian's headless Chromium that accepts downloads."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True
            )
            yield context.new_page()
        finally:
            browser.close()


IDLE_JS = ("() => document.querySelector('[data-testid=\"stApp\"]')"
           "?.getAttribute('data-test-script-state') === 'notRunning'")
# True once the app has dealt with the n-th answer: the summary is shown, or n score cards and
# the next question (the last chat message has the interviewer's avatar) with the script idle.
# A finished session reruns into its summary, so n cards alone are not enough.
ANSWERED_JS = """([n]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('.st-key-session-summary')) return true;
  if (document.querySelectorAll("[class*='st-key-scorecard-']").length < n) return false;
  const messages = document.querySelectorAll('[data-testid="stChatMessage"]');
  const last = messages[messages.length - 1];
  return !!(last && last.querySelector('[data-testid="stChatMessageAvatarCustom"]')
            && document.querySelector('[data-testid="stChatInputTextArea"]'));
}"""


def wait_idle(page: Any, timeout_ms: float = 60_000) -> None:
    """Wait until the app's script is not running."""
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)


def ingest_seeds(home: Path) -> None:
    """Index seeds/ into home's store ahead of time, as a returning user's data would be."""
    env = {k: v for k, v in os.environ.items() if k not in ONLINE_VARS}
    env["PREP_AGENT_HOME"] = str(home)
    subprocess.run([sys.executable, "-m", "prep_agent", "ingest"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
