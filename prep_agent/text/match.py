"""Lexical helpers for grading: sentences, content words, names, negation, injection cues."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass


def _wordset(text: str, sep: str | None = None) -> frozenset[str]:
    return frozenset(text.split(sep))


STOPWORDS = _wordset(
    "a about above after again against all also am an and any are aren't as at be because "
    "been before being below between both but by can can't cannot could couldn't did didn't "
    "do does doesn't doing don't down during each either else ever every few for from further "
    "get gets got had hadn't has hasn't have haven't having he her here hers herself him "
    "himself his how i i'd i'll i'm i've if in into is isn't it it's its itself just let's me "
    "might more most much must my myself neither no nor not now of off on once one only or "
    "other ought our ours ourselves out over own per quite rather really same shall she "
    "should shouldn't so some such than that that's the their theirs them themselves then "
    "there there's these they they'd they'll they're they've this those though through to too "
    "under until up upon us very was wasn't we we'd we'll we're we've were weren't what "
    "what's when where which while who whom whose why will with within without won't would "
    "wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves via etc "
    "e.g i.e like well way ways thing things stuff something anything lot lots kind sort make "
    "makes made use used using uses "
)

NEGATIONS = _wordset(
    "not no never none nothing nobody neither nor cannot can't won't don't doesn't didn't "
    "isn't aren't wasn't weren't hasn't haven't hadn't shouldn't wouldn't couldn't "
)
DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "my", "our", "its"})
# "not only X but Y" and friends affirm X, so they do not flip a sentence's polarity.
NOT_A_NEGATION = re.compile(
    r"\b(?:not|n't)\s+(?:only|just|merely|simply|solely|necessarily)\b|\bno\s+(?:doubt|matter)\b"
    # "no more than two" is a bound, not a denial.
    r"|\b(?:no|not)\s+(?:more|less|fewer|later|earlier|longer|greater|bigger)\s+than\b",
    re.IGNORECASE,
)

NON_ANSWERS = _wordset(
    "idk dunno pass skip n/a na none nothing no-idea ? ... - -- ok okay hmm um uh"
)
NON_ANSWERS |= _wordset(
    "i don't know|i dont know|i do not know|no idea|not sure|i'm not sure|im not sure|no clue|"
    "no comment|i have no idea|don't know|dont know|i forget|i forgot|not applicable|"
    "i can't remember|i cant remember",
    sep="|",
)

_WORD = re.compile(r"\$?\d[\d,]*(?:\.\d+)?(?:[^\W\d_]+\d*)*%?|[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?")
_CLAUSE_END = re.compile(r"[.!?;:…]+[\"'”’)\]]*(?=\s|$)|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_SENTENCE_END = re.compile(_CLAUSE_END.pattern.replace(";:", ""))
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|mr|mrs|ms|dr|fig)|\b[A-Za-z])\.$", re.I
)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]"
)

_GRADER = r"(?:grader|judge|evaluator|examiner|assessor|scorer|marker)"
_TOP_MARK = (
    r"(?:\bfull\b|\bmax(?:imum)?\b|\bperfect\b|\btop\b|\bhighest\b|\b100\b|\b10/10|\b5/5|\ba\+)"
)
_RULES = r"(?:instructions?|rules?|rubric|prompts?|guidelines|key points|criteria|grading)"
INJECTION_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # "give this answer full marks", "award me 100 points", "grant it top marks"
        r"\b(?:give|award|assign|grant)\b[^.!?\n]{0,40}?"
        + _TOP_MARK
        + r"\s+(?:\w+\s+)?(?:marks?|scores?|points?|grades?|ratings?|credit|stars?)\b",
        r"\b(?:give|award|assign|grant)\b[^.!?\n]{0,30}?\b(?:100|10/10|5/5|a\+|full credit)",
        # "rate this 10/10", "score my answer as correct"
        r"\b(?:mark|grade|score|rate|treat)\s+(?:this|me|my answer|this answer|it|all key points)"
        r"\s+(?:as\s+)?(?:correct|covered|complete|perfect|100|10/10|full|an? a\b|excellent)",
        r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}?\b" + _RULES + r"\b",
        r"\b(?:ignore|disregard)\s+(?:all|everything)\s+(?:above|before|previous|prior)\b",
        r"\b(?:you are|you're|act as|pretend to be|dear)\s+(?:now\s+)?(?:an?\s+|the\s+)?" + _GRADER,
        r"\b" + _GRADER + r"s?\b[^.!?\n]{0,30}?\b(?:must|should|shall|needs? to|has to)\b"
        r"[^.!?\n]{0,30}?\b(?:score|grade|mark|rate|pass|accept|output|return|give|award)",
        r"\b(?:this|my) (?:answer|response|reply)\b[^.!?\n]{0,20}?"
        r"(?:\b(?:deserves|earns|merits|should get|should receive)\b|\bis\s+(?:an?\s+)?"
        r"(?:excellent|perfect|flawless|100|10/10))",
        r"\b(?:system prompt|developer message|new instructions|jailbreak)\b",
        r"</?\s*(?:system|assistant|instructions?)\s*>|^\s*#{2,}\s*(?:system|instruction)",
        r"\b(?:respond|reply|output|return)\s+(?:only\s+)?(?:with\s+)?"
        r"(?:json\b|\{\s*\"|\"?overall\"?\s*:)",
        # A grading ledger written into the answer: "status: covered", "Overall: 100".
        r"\bstatus\s*[:=]\s*[\"']?(?:covered|partial|missing|contradicted)\b",
        r"\b(?:overall|score|grade)\s*[:=]\s*(?:100|\d{1,3}\s*/\s*100)\b",
    )
)

CONNECTIVES = _wordset("is are was were be has have had do does can will would should could ")


@dataclass(frozen=True)
class Span:
    """A sentence of the answer by character offsets, so quotes are exact substrings."""

    start: int
    end: int
    text: str


def clean(text: str) -> str:
    """Unicode-normalise and drop control/format characters, keeping newlines and tabs."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))


def sentence_spans(text: str, limit: int = 200, clauses: bool = True) -> list[Span]:
    """Split text on . ! ? (and ; : when `clauses`), blank lines and bullets; at most `limit`."""
    spans: list[Span] = []
    start = 0
    for match in (_CLAUSE_END if clauses else _SENTENCE_END).finditer(text):
        if _ABBREVIATION.search(text, max(0, match.start() - 8), match.end()):
            continue
        _add_span(text, start, match.end(), spans)
        start = match.end()
        if len(spans) >= limit:
            return spans
    _add_span(text, start, len(text), spans)
    return spans[:limit]


def _add_span(text: str, start: int, end: int, spans: list[Span]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    # A lone bullet marker or punctuation run carries no words and cannot be evidence.
    if not stripped or not _WORD.search(stripped):
        return
    offset = start + (len(piece) - len(piece.lstrip()))
    spans.append(Span(offset, offset + len(stripped), stripped))


_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:()\u2013\u2014]|\s-\s)\s*")


def clauses(text: str, min_words: int = 4, split_from: int = 32) -> list[str]:
    """Comma/dash separated parts of a run-on sentence, each at least `min_words` words."""
    if len(text.split()) < split_from:
        return [text]
    parts: list[str] = []
    for piece in _CLAUSE_BREAK.split(text):
        if parts and (len(piece.split()) < min_words or len(parts[-1].split()) < min_words):
            parts[-1] = f"{parts[-1]}, {piece}".strip(", ")
        elif piece.strip():
            parts.append(piece.strip())
    if len(parts) > 1 and len(parts[-1].split()) < min_words:
        parts[-2] = f"{parts[-2]}, {parts.pop()}"
    return parts or [text]


def words(text: str) -> list[str]:
    """Word tokens as written (numbers like $300M and 15,000 kept whole)."""
    return list(_words(text))


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    # Every rule re-reads the same answer sentences and claims: tokenise each text once.
    return tuple(w.strip(",.") or w for w in _WORD.findall(text))


@functools.lru_cache(maxsize=65_536)
def norm_token(word: str) -> str:
    """Lower-case, drop possessives and number punctuation, and strip common suffixes."""
    w = word.lower().replace("’", "'")
    if w[:1].isdigit() or w[:1] == "$":
        return w.replace(",", "").replace("$", "")
    for suffix in ("'s", "'"):
        if w.endswith(suffix):
            w = w[: -len(suffix)]
    for suffix, repl in (
        ("ational", "ate"),
        ("ization", "ize"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ments", ""),
        ("ment", ""),
        ("ities", ""),
        ("ity", ""),
        ("ings", ""),
        ("ing", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: -len(suffix)] + repl
            # "mapping", "planned": undouble the consonant, as Porter's step 1b does.
            doubled = len(w) >= 4 and w[-1] == w[-2] and w[-1].isalpha()
            if suffix in ("ing", "ings", "ed") and doubled and w[-1] not in "lszaeiou":
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def is_name(word: str, sentence_initial: bool = False) -> bool:
    """Names and numbers: H100, 15,000, $300M, NVLink, ALLCAPS and mid-sentence Capitals."""
    if any(c.isdigit() for c in word):
        return True
    letters = [c for c in word if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return True
    if any(c.isupper() for c in word[1:]):
        return True
    return word[:1].isupper() and not sentence_initial and word.lower() not in STOPWORDS


def content_terms(text: str) -> dict[str, float]:
    """Normalised content tokens with weights: names and numbers count double."""
    return dict(_content_terms(text))


@functools.lru_cache(maxsize=4096)
def _content_terms(text: str) -> dict[str, float]:
    # Cached per text; content_terms hands out copies, so no caller can change the cached one.
    terms: dict[str, float] = {}
    for span in sentence_spans(text) or [Span(0, len(text), text)]:
        for i, word in enumerate(words(span.text)):
            low = word.lower().replace("’", "'")
            if low in STOPWORDS or len(low) < 2 and not low.isdigit():
                continue
            token = norm_token(word)
            weight = 2.0 if is_name(word, sentence_initial=i == 0) else 1.0
            terms[token] = max(terms.get(token, 0.0), weight)
    return terms


def token_match(a: str, b: str) -> bool:
    """Equal tokens, or one the prefix of the other (5+ chars), or a shared 7-char stem."""
    if a == b:
        return True
    if len(a) < 5 or len(b) < 5 or a[0] != b[0] or a[0].isdigit():
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_.startswith(short) or (len(short) >= 7 and long_[:7] == short[:7])


def matched_terms(wanted: dict[str, float], have: set[str]) -> list[str]:
    """The wanted terms that some token in `have` matches."""
    found: list[str] = []
    # token_match pairs only tokens of 5+ characters with the same first letter: look there.
    by_first: dict[str, list[str]] | None = None
    for t in wanted:
        if t in have:
            found.append(t)
            continue
        if len(t) < 5 or t[0].isdigit():
            continue
        if by_first is None:
            by_first = {}
            for h in have:
                if len(h) >= 5:
                    by_first.setdefault(h[0], []).append(h)
        if any(token_match(t, h) for h in by_first.get(t[0], ())):
            found.append(t)
    return found


def token_set(text: str) -> set[str]:
    """All normalised non-stopword tokens of a text."""
    return {norm_token(w) for w in words(text) if w.lower() not in STOPWORDS}


def negation_count(text: str) -> int:
    """Number of negation cues, ignoring affirming idioms such as "not only"."""
    scrubbed = NOT_A_NEGATION.sub(" ", text)
    count = 0
    for word in words(scrubbed):
        low = word.lower().replace("’", "'")
        if low in NEGATIONS or low.endswith("n't"):
            count += 1
    return count


def injection_spans(text: str) -> list[str]:
    """Passages that address the grader instead of answering (exact substrings of text)."""
    found: list[str] = []
    for pattern in INJECTION_PATTERNS:
        for match in pattern.finditer(text):
            quote = match.group(0).strip()
            if quote and not any(quote in f for f in found):
                found.append(quote)
    return found


def is_non_answer(text: str) -> bool:
    """True for blank text, bare punctuation, or stock non-answers such as "idk"."""
    if not _WORD.search(text):
        return True
    squashed = " ".join(re.sub(r"[^\w\s'/?]", " ", text.lower().replace("’", "'")).split())
    return squashed in NON_ANSWERS or squashed.rstrip("?").strip() in NON_ANSWERS


def looks_like_keyword_list(text: str) -> bool:
    """Bare lists of terms: several short comma/line separated items and almost no verbs or glue."""
    tokens = [w.lower() for w in words(text)]
    if len(tokens) < 3:
        return False
    items = [i for i in re.split(r"[,;/|\n•·]+|\s-\s", text) if i.strip()]
    glue = sum(1 for t in tokens if t in STOPWORDS or t in CONNECTIVES)
    avg_item = len(tokens) / max(len(items), 1)
    return len(items) >= 3 and avg_item <= 3.0 and glue / len(tokens) < 0.2
