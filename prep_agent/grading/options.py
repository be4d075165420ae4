"""A question that offers alternatives ("by rows or by columns?") and the side an answer takes.

Taking a side in the question's own words answers it (prepare.py: not an echo), and taking the
side the key point does not take contradicts the key point (keypoints.py), whatever the cosine
says: "By column." is one word away from "By rows." for an embedding.
"""

from __future__ import annotations

import functools
import re

from prep_agent.text.match import (
    DETERMINERS,
    STOPWORDS,
    negation_count,
    norm_token,
    token_set,
    words,
)

# "build or buy", "build vs. buy", "throughput versus latency".
_ALTERNATIVE = re.compile(r"\s+(?:or|vs\.?|versus)\s+", re.IGNORECASE)
_PHRASE_END = re.compile(r"[,;:?.!()]")
# A choice, not a pair of notations ("addressed in pointer or offset notation"): the options
# follow a comma ("..., a stack or a queue?") or the question asks which one it is.
_SKIPPED = STOPWORDS | DETERMINERS
_CHOOSE = re.compile(r"\b(?:which|choose|pick|prefer)\b", re.IGNORECASE)
_CHOICE_OPENER = frozenset(
    {"is", "are", "was", "were", "does", "do", "did", "should", "would", "will", "can", "which"}
)


@functools.lru_cache(maxsize=256)
def options(question: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The two sides' own words, normalised (what only one side says), or None."""
    sides = _ALTERNATIVE.split(question, maxsplit=1)
    if len(sides) != 2:
        return None
    left = [norm_token(w) for w in _words(_PHRASE_END.split(sides[0])[-1])][-3:]
    right = [norm_token(w) for w in _words(_PHRASE_END.split(sides[1])[0])][:3]
    only_left, only_right = set(left) - set(right), set(right) - set(left)
    if not only_left or not only_right:
        return None
    return frozenset(only_left), frozenset(only_right)


def _words(text: str) -> list[str]:
    return [w for w in words(text) if w.lower() not in _SKIPPED]


def side(tokens: set[str], question: str) -> int | None:
    """0 or 1 for the side whose own words the tokens hold more of, None for a tie.

    A share, not a yes/no: "I'd cut scope to protect the launch date" takes the first side of
    "cut scope or slip the launch date" though it names the second side's object.
    """
    sides = options(question)
    if sides is None:
        return None
    left, right = (len(tokens & s) / len(s) for s in sides)
    if left == right:
        return None
    return 0 if left > right else 1


def picks_an_option(tokens: set[str], question: str) -> bool:
    """The sentence takes one of the question's sides: an answer in its words, not an echo."""
    return side(tokens, question) is not None


@functools.lru_cache(maxsize=256)
def is_choice(question: str) -> bool:
    """The alternatives are a choice to make, not a pair the question names together.

    Cached: asked for every claim against every sentence of an answer.
    """
    if options(question) is None:
        return False
    before, after = _ALTERNATIVE.split(question, maxsplit=1)
    asked = re.split(r"(?<=[.!?])\s+", before.strip())[-1]
    opener = words(asked)[0].lower() if words(asked) else ""
    # "Build vs. buy: which would you choose?" asks for a side after naming them.
    return "," in asked or opener in _CHOICE_OPENER or bool(_CHOOSE.search(after))


def other_side(claim: str, sentence: str, question: str) -> bool:
    """The claim takes one side of the question's choice and the sentence only the other.

    A sentence that denies the other side ("It will NOT cause a compilation error") takes none.
    """
    if not is_choice(question) or negation_count(sentence) % 2:
        return False
    mine = side(token_set(claim), question)
    theirs = side(token_set(sentence), question)
    return mine is not None and theirs is not None and mine != theirs


def claimed_side(claim: str, question: str) -> frozenset[str]:
    """The words of the side a claim takes in a choice question (empty when it takes none).

    They are the answer, not question words a restatement gets for free.
    """
    if not is_choice(question):
        return frozenset()
    sides = options(question)
    taken = side(token_set(claim), question)
    return frozenset() if sides is None or taken is None else sides[taken]
