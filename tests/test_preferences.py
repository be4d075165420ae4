"""The app's active prompt set, as the terminal and the app read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from prep_agent.practice.preferences import active_prompt_set, load_preferences

VALID = ["bar-raiser", "hiring-manager", "recruiter-screen"]


@pytest.mark.parametrize(("content", "expected"), [
    (None, "hiring-manager"),                          # no file: the settings' default
    ('{"prompt_set": "bar-raiser"}', "bar-raiser"),    # chosen in the app
    ('{"prompt_set": "deleted-copy"}', "hiring-manager"),  # no longer valid
    ("not json", "hiring-manager"),
    ('["a list"]', "hiring-manager"),
    ('{"other": 1}', "hiring-manager"),
])
def test_active_prompt_set(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "app_preferences.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert active_prompt_set(path, "hiring-manager", VALID) == expected
    assert isinstance(load_preferences(path), dict)


def test_an_invalid_default_falls_back_to_a_valid_set(tmp_path: Path) -> None:
    assert active_prompt_set(tmp_path / "none.json", "gone", VALID) == "bar-raiser"
    assert active_prompt_set(tmp_path / "none.json", "gone", []) == "gone"
