"""Delivery statistics of an answer: length, fillers, hedges, most-used words, target length."""

from __future__ import annotations

import functools
import re
from collections import Counter

from pydantic import BaseModel

from prep_agent.text.match import STOPWORDS, sentence_spans, words

FILLERS = (
    "um",
    "umm",
    "uh",
    "uhh",
    "er",
    "erm",
    "ah",
    "hmm",
    "you know",
    "basically",
    "literally",
    "actually",
    "i mean",
    "so yeah",
    "kind of like",
    "or whatever",
    "and stuff",
)
HEDGES = (
    "i think",
    "i guess",
    "i believe",
    "i feel like",
    "maybe",
    "perhaps",
    "probably",
    "possibly",
    "sort of",
    "kind of",
    "somewhat",
    "not sure",
    "might",
    "could be",
    "i suppose",
    "more or less",
)
_VERBAL = frozenset(w for phrase in FILLERS + HEDGES for w in phrase.split())
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "single": 1,
    "a": 1,
}
_TARGET = re.compile(
    r"\b(?:in|within|using|with|as|give me|under)?\s*(?:a|an|one|just|only)?\s*"
    r"(\d+|one|two|three|four|five|six|single)[\s-]+sentences?\b",
    re.IGNORECASE,
)


class LongPause(BaseModel):
    """A silence of two seconds or more inside a spoken answer."""

    after_word: str
    start_s: float
    seconds: float


class SpokenDelivery(BaseModel):
    """Delivery measured from the recording's word timings (spoken answers only)."""

    transcriber: str
    duration_s: float
    speaking_s: float
    words_per_minute: float | None
    target_wpm: tuple[int, int]
    pace: str
    long_pauses: list[LongPause]
    fillers: dict[str, int]
    time_to_first_word_s: float | None
    audio_file: str | None = None


class Delivery(BaseModel):
    """How the answer was said, separate from what it covered."""

    words: int
    sentences: int
    filler_words: dict[str, int]
    hedges: dict[str, int]
    top_words: list[tuple[str, int]]
    target_sentences: int | None = None
    length_ok: bool | None = None
    spoken: SpokenDelivery | None = None

    @property
    def most_used(self) -> list[tuple[str, int]]:
        """The top words said at least MIN_TOP_WORD_COUNT times (a word said once is no habit)."""
        return [(w, n) for w, n in self.top_words if n >= MIN_TOP_WORD_COUNT]


def infer_target_sentences(question: str) -> int | None:
    """A sentence budget stated in the question ("in 2 sentences", "a two-sentence pitch")."""
    match = _TARGET.search(question)
    if not match:
        return None
    raw = match.group(1).lower()
    return int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)


# "kind of"/"sort of" hedge before a verb, adjective or adverb ("it kind of works"), but name a
# category before a noun phrase ("the kind of compute", "what sort of risk"): a determiner or
# "what/which/this" in front, or "of" followed by a determiner or noun, is not a hedge.
_CATEGORY_OF = re.compile(
    r"(?:\b(?:the|a|an|this|that|these|those|what|which|any|every|each|some|same|one|my|our|"
    r"your|their|its|his|her|no)\s+(?:kinds?|sorts?)\s+of\b)"
)
MIN_TOP_WORD_COUNT = 2  # "most used" means repeated: a word said once is not a habit


@functools.lru_cache(maxsize=512)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w']){re.escape(phrase)}(?![\w'])")


def _phrase_counts(text_lower: str, phrases: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for phrase in phrases:
        if phrase not in text_lower:
            continue
        n = 0
        for match in _phrase_pattern(phrase).finditer(text_lower):
            if phrase in ("kind of", "sort of") and _CATEGORY_OF.search(
                text_lower, max(0, match.start() - 12), match.end()
            ):
                continue
            n += 1
        if n:
            counts[phrase] = n
    return counts


def delivery_stats(answer: str, target_sentences: int | None) -> Delivery:
    """Count words, sentences, fillers and hedges; check the sentence budget when one is set."""
    tokens = words(answer)
    sentences = len(sentence_spans(answer, clauses=False))
    lower = answer.lower().replace("’", "'")
    content = Counter(
        t.lower()
        for t in tokens
        if t.lower() not in STOPWORDS and t.lower() not in _VERBAL and len(t) > 2 and t.isalpha()
    )
    top = [(w, n) for w, n in content.most_common(5)]
    length_ok = None if target_sentences is None else 1 <= sentences <= target_sentences
    return Delivery(
        words=len(tokens),
        sentences=sentences,
        filler_words=_phrase_counts(lower, FILLERS),
        hedges=_phrase_counts(lower, HEDGES),
        top_words=top,
        target_sentences=target_sentences,
        length_ok=length_ok,
    )
