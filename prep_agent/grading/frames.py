"""Sentences that are not the candidate's own claim: disowning frames and word salad.

A sentence the candidate denies ("It is false that ..."), attributes to someone and rejects
("Some people claim ..., but that's a myth"; "My colleague insists .... I disagree") or asks
without answering ("Would you say ...? I honestly don't know") states a claim the candidate does
not stand behind: it is never evidence, and contradiction.py reads it as opposing the claim. A
shuffle of the key points' words (word salad) states no claim at all.
"""

from __future__ import annotations

import re

from prep_agent.text.match import DETERMINERS, words

_DENIAL = re.compile(
    r"\b(?:it(?:'s|’s| is)|that(?:'s|’s| is))\s+(?:simply\s+|just\s+)?(?:false|untrue|not true|"
    r"a myth|wrong|incorrect|nonsense)\s+that\b",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?:some(?:one| people| folks)?|many(?: people)?|people|others|critics|they|"
    r"(?:my|a|one|our)\s+(?:\w+\s+)?(?:colleagues?|friends?|managers?|boss|teammates?|"
    r"coworkers?|co-workers?|peers?|lead))\s+(?:\w+\s+)?(?:claims?|insists?|says?|said|"
    r"thinks?|believes?|argues?|assumes?|told me|suggests?)\b",
    re.IGNORECASE,
)
_REJECTION = re.compile(
    r"\b(?:i (?:strongly |completely |totally )?disagree|that(?:'s|’s| is) (?:a myth|wrong|false|"
    r"not true|nonsense|incorrect|not the case|untrue)|(?:it|this)(?:'s|’s| is) (?:a myth|not true|"
    r"false|wrong)|i don(?:'t|’t) (?:buy it|agree|think so)|they(?:'re|’re| are) wrong|myth)\b",
    re.IGNORECASE,
)
_UNSURE = re.compile(
    r"\b(?:i (?:honestly |really |genuinely )?(?:don(?:'t|’t)|do not) know|no idea|not sure|"
    r"i(?:'m|’m| am) (?:not sure|unsure)|no clue|who knows)\b",
    re.IGNORECASE,
)
_DANGLING = DETERMINERS | frozenset(
    {"to", "of", "in", "on", "for", "and", "or", "with", "at", "by", "like", "as", "from", "than"}
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_WHOLE_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*")


def disowned_kind(sentences: list[str], i: int) -> str | None:
    """'denied', 'attributed' or 'questioned' when sentence i is not the candidate's own claim."""
    text = sentences[i]
    after = sentences[i + 1] if i + 1 < len(sentences) else ""
    if _DENIAL.search(text):
        return "denied"
    if _ATTRIBUTION.search(text) and (_REJECTION.search(text) or _REJECTION.search(after)):
        return "attributed"
    if text.rstrip().endswith("?") and (_UNSURE.search(text) or _UNSURE.search(after)):
        return "questioned"
    return None


def word_salad(sentence: str, claim_text: str) -> bool:
    """Many of the claim's words with no claim's syntax: reversed pairs, stray capitals, no verb."""
    toks = words(sentence)
    if len(toks) < 6:
        return False
    claim_words = [w.lower() for w in words(claim_text)]
    lowered = [w.lower() for w in toks]
    # Hyphenated compounds stay whole here: "last-in-first-out" in the claim must not make
    # "elements in last in first out" look reversed.
    claim_whole = [w.lower() for w in _WHOLE_WORD.findall(claim_text)]
    pairs = set(zip(claim_whole, claim_whole[1:], strict=False))
    whole = [w.lower() for w in _WHOLE_WORD.findall(sentence)]
    # A list in another order ("b, a" for "a, b") keeps each item's pairs forward.
    reversed_pairs = sum(
        (b, a) in pairs and (a, b) not in pairs for a, b in zip(whole, whole[1:], strict=False)
    )
    # A capital after a comma starts a list item ("..., Both involve ..."); mid-phrase it is
    # a shuffled sentence start.
    stray_caps = sum(
        1
        for m in _CAPITALISED.finditer(sentence)
        if m.start() > 0
        and sentence[: m.start()].rstrip()[-1:] not in ",;:.!?(-–—\"'"
        and m.group().lower() in claim_words
    )
    unfinished = not sentence.rstrip().endswith((".", "!", "?"))
    # "the the" is a typo; "a the" is a shuffle.
    broken = lowered[-1] in _DANGLING or any(
        a in DETERMINERS and b in DETERMINERS and a != b
        for a, b in zip(lowered, lowered[1:], strict=False)
    )
    # Typing in lower case without a full stop is informal, not broken: one signal, not two.
    # A shuffle reverses many pairs, which a sentence written by hand seldom does.
    informal = unfinished or toks[0][:1].islower()
    reversed_signal = 2 if reversed_pairs >= 3 else int(reversed_pairs >= 1)
    signals = reversed_signal + (stray_caps >= 1) + informal + broken
    return signals >= 3
