"""The app's saved preferences (the active prompt set), read the same way by the app and CLI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def load_preferences(path: Path) -> dict[str, Any]:
    """The preferences JSON object; {} when the file is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def active_prompt_set(path: Path, default: str, valid: Sequence[str]) -> str:
    """The prompt set chosen in the app, else `default`; a saved set that is no longer valid
    gives way to the default (or the first valid set)."""
    name = str(load_preferences(path).get("prompt_set") or default)
    if name in valid or not valid:
        return name
    return default if default in valid else valid[0]
