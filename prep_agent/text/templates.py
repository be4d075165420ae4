"""Plain-field string templates: field parsing, value caps and nesting limits for prompt sets."""

from __future__ import annotations

import re
import string
from typing import Any

from prep_agent.errors import PromptError

PLAIN_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The judge's answer is cut at 10,000 characters before it is delimited; nothing else a prompt
# renders (notes bullets, questions, resume facts) comes near this.
MAX_VALUE_CHARS = 12_000
MAX_YAML_DEPTH = 8  # the prompt-set schema nests 4 deep (offline.knowledge.key_point[0])


def cap_value(value: Any, limit: int = MAX_VALUE_CHARS) -> Any:
    """A string value cut to `limit` characters (other values unchanged)."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + " [cut]"
    return value


def _fields(text: str) -> list[tuple[str, str]]:
    """(raw field, name) of every {field} in a template; ValueError on unbalanced braces."""
    out = []
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        raw = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        out.append((raw, field))
    return out


def template_variables(text: str) -> set[str]:
    """Names of the {variables} in an f-string template; ValueError on unbalanced braces."""
    return {re.split(r"[.\[!:]", raw, maxsplit=1)[0] for raw, _ in _fields(text)}


def check_plain_fields(where: str, key: str, text: str) -> None:
    """PromptError naming the key and the fix for any field that is not a plain {name}."""
    for raw, name in _fields(text):
        if raw != name or not PLAIN_FIELD.match(name):
            plain = re.split(r"[.\[!:]", raw, maxsplit=1)[0] or "name"
            raise PromptError(
                f"{where}: key '{key}' has the field {{{raw}}}: only plain {{name}} fields are "
                f"allowed (no format specs, conversions, indexes or attributes): write "
                f"{{{plain}}}, and literal braces as {{{{ }}}}"
            )


def nesting_depth(value: Any, limit: int, level: int = 0) -> int:
    """How deeply a loaded YAML value nests (counting stops just past `limit`)."""
    if level > limit:
        return level
    if isinstance(value, dict):
        return max((nesting_depth(v, limit, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((nesting_depth(v, limit, level + 1) for v in value), default=level + 1)
    return level
