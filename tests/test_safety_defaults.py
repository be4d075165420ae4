"""Issue 9: safe by default: the app binds loopback, the README explains sharing safely."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # a subprocess
def test_streamlit_config_show_binds_loopback() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    server = shown.stdout.split("[server]", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^address = "127\.0\.0\.1"$', server, re.MULTILINE), server[-2000:]


def test_readme_has_no_open_chroma_recipe_and_explains_sharing() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    recipes = re.findall(r"```bash\n(.*?)```", text, re.DOTALL)
    assert not any("--host 0.0.0.0" in r for r in recipes)
    section = text.split("## Sharing with a team", 1)[1].split("\n## ", 1)[0]
    for needle in ("reverse proxy", "st.login", "CHROMA_TOKEN", "What each exposes", "127.0.0.1"):
        assert needle in section, needle
