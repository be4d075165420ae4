"""Keep secrets out of anything written to disk: transcripts, exports, logs."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REDACTED = "[redacted]"
# OpenAI-style keys (sk-..., sk-proj-...), bearer tokens, and user:password@ in URLs.
_PATTERNS = (
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"), REDACTED),
    (re.compile(r"\b(Bearer)\s+[A-Za-z0-9._~+/\-]{8,}=*", re.IGNORECASE), rf"\1 {REDACTED}"),
    (re.compile(r"(\b[a-z][a-z0-9+.\-]*://)[^/\s:@]+:[^/\s@]+@", re.IGNORECASE), rf"\1{REDACTED}@"),
)
_SECRET_KEY = re.compile(r"api[_-]?key|secret|password|passwd|token|authorization", re.IGNORECASE)
_NOT_SECRET_KEYS = {"max_tokens", "tokens", "n_tokens", "token_count"}


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace key-like substrings and the given secret values with a marker."""
    if not text.isascii():
        # Lone surrogates (from undecodable input) cannot be stored as UTF-8: replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def scrub(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Recursively scrub strings; values under secret-looking keys are dropped to a marker."""
    secrets = tuple(secrets)
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            secret_key = (
                isinstance(key, str) and _SECRET_KEY.search(key) and key not in _NOT_SECRET_KEYS
            )
            out[key] = REDACTED if secret_key and item else scrub(item, secrets)
        return out
    if isinstance(value, list | tuple):
        return [scrub(item, secrets) for item in value]
    return value


def settings_snapshot(settings: Any) -> dict[str, Any]:
    """A JSON-able copy of Settings for provenance, without the API key or URL credentials."""
    if dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        raw = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    else:
        raw = dict(settings)
    secret = raw.pop("openai_api_key", None)
    snap = {k: str(v) if isinstance(v, Path) else v for k, v in raw.items()}
    for prop in ("resolved_engine", "llm_configured"):
        if hasattr(settings, prop):
            snap[prop] = getattr(settings, prop)
    snap["key_configured"] = bool(secret)
    result: dict[str, Any] = scrub(snap, [secret] if isinstance(secret, str) else [])
    return result
