"""Keep secrets out of anything written to disk: transcripts, exports, logs."""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REDACTED = "[redacted]"
# OpenAI-style keys (sk-..., sk-proj-...), Bearer/Basic/Token credentials, Authorization and
# api-key header values, and userinfo (user@ or user:password@) in URLs.
_PATTERNS = (
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"), REDACTED),
    (re.compile(r"\b(Bearer|Basic|Token|Digest)(\s+|%20)[A-Za-z0-9._~+/\-]{4,}=*",
                re.IGNORECASE), rf"\1 {REDACTED}"),
    (re.compile(r"\b((?:proxy-)?authorization|api[-_]?key|x-api-key)(['\"]?\s*[:=]\s*['\"]?)"
                r"(?!\[redacted\]|Bearer \[|Basic \[)[^\s'\",}]+", re.IGNORECASE),
     rf"\1\2{REDACTED}"),
    (re.compile(r"(\b[a-z][a-z0-9+.\-]*://)[^/\s@]+@", re.IGNORECASE), rf"\1{REDACTED}@"),
)
# C0/C1 control characters except tab, newline and carriage return: ANSI escapes, bells,
# cursor movement and the like must never reach a terminal from user or notes text.
_CONTROLS = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])?"
                       r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SECRET_KEY = re.compile(r"api[_-]?key|secret|password|passwd|token|authorization", re.IGNORECASE)
_NOT_SECRET_KEYS = {"max_tokens", "tokens", "n_tokens", "token_count"}


def url_secrets(url: str | None) -> list[str]:
    """Credential strings a base URL carries: userinfo, its password, and the Basic header value."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        return []
    if user is None and password is None:
        return []
    userinfo = parts.netloc.rpartition("@")[0]
    plain = f"{unquote(user or '')}:{unquote(password or '')}"
    out = [userinfo, plain, base64.b64encode(plain.encode()).decode()]
    out += [unquote(v) for v in (password, user) if v]
    return [s for s in dict.fromkeys(out) if s]


def strip_controls(text: str) -> str:
    """Text without ANSI escape sequences and other control characters (tab/newline kept)."""
    return _CONTROLS.sub("", text)


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace key-like substrings and the given secret values with a marker."""
    if not text.isascii():
        # Lone surrogates (from undecodable input) cannot be stored as UTF-8: replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
    for secret in sorted(secrets, key=len, reverse=True):  # longest first: userinfo, then parts
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def safe_text(text: str, secrets: Iterable[str] = ()) -> str:
    """What may be shown to a user anywhere: no secrets, no terminal escape sequences."""
    return strip_controls(scrub_text(text, secrets))


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
    raw.pop("chroma_token", None)
    snap = {k: str(v) if isinstance(v, Path) else v for k, v in raw.items()}
    for prop in ("resolved_engine", "llm_configured"):
        if hasattr(settings, prop):
            snap[prop] = getattr(settings, prop)
    snap["key_configured"] = bool(secret)
    result: dict[str, Any] = scrub(snap, [secret] if isinstance(secret, str) else [])
    return result
