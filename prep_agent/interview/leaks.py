"""Word-level helpers for questions: leak checks for follow-ups and LLM reply cleanup."""

from __future__ import annotations

import re

_STOPWORD_TEXT = (
    "a an the and or but of to in on for with from by as at is are was were be been being it its "
    "this that these those i i'd i'm my me we our you your they their them he she his her not no "
    "so than then there here what which who whom how why when where can could would should will "
    "shall may might must do does did done have has had into onto over under about like also just "
    "more most very"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _stem(word: str) -> str:
    # Crude suffix stripping is enough to match "developer" with "developers".
    word = word.lower().strip("'’")
    for suffix in ("ing", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Lowercased words of a text."""
    return re.findall(r"[a-z0-9$][a-z0-9$'’-]*", text.lower())


def distinctive_stems(key_point: str, *known: str) -> set[str]:
    """Stems of a key point's words that the candidate has not already been given."""
    given = {_stem(w) for text in known for w in words(text)}
    return {_stem(w) for w in words(key_point)
            if w not in STOPWORDS and len(w) > 3} - given


def leaked_stems(text: str, key_point: str, *known: str) -> set[str]:
    """The key point's distinctive stems that a text repeats."""
    return {_stem(w) for w in words(text)} & distinctive_stems(key_point, *known)


def leaks(text: str, key_point: str, *known: str) -> bool:
    """True when an LLM follow-up gives away a good share of the key point's distinctive words."""
    secret = distinctive_stems(key_point, *known)
    found = leaked_stems(text, key_point, *known)
    return len(found) >= max(2, (len(secret) + 2) // 3) if secret else False


def clean_llm_question(text: str) -> str:
    """First paragraph of an LLM reply without a "Question:" label or wrapping quotes."""
    text = text.strip()
    text = re.split(r"\n\s*\n", text, maxsplit=1)[0].strip()
    text = re.sub(r"^\**(?:question|follow[- ]?up|q)\s*\d*\s*[:.)-]\**\s*", "", text, flags=re.I)
    return text.strip().strip("\"“”").strip()
