"""A claim that something is done *without* a thing, against an answer that says it is needed.

"RDMA lets servers exchange data without involving the CPU" against "RDMA still has to go
through the CPU on both sides"; "Teams get AI supercomputing without buying and running their
own hardware" against "you have to buy and install the DGX hardware yourself". Embeddings place
both close to the claim, and no word of the answer is negated, so the negation rules miss them.
"""

from __future__ import annotations

import functools
import re

from prep_agent.grading.contradiction import negators, nouns
from prep_agent.grading.roles import subject
from prep_agent.text.match import STOPWORDS, matched_terms, norm_token, words

_WITHOUT = re.compile(r"\bwithout\s+(?P<what>[^,;:.!?]+)", re.I)
_CLAUSES = re.compile(r"[;:.!?]|\b(?:but|while|whereas|although|though|so|because)\b", re.I)
# Verbs that only say the thing takes part: "without involving the CPU" is about the CPU.
_LIGHT = frozenset(
    norm_token(w)
    for w in ("involving", "using", "needing", "requiring", "touching", "going", "through")
)
# Words that keep the thing out in other words: "bypasses the CPU", "leaves the CPU idle",
# "instead of buying", "no hardware to buy".
_ABSENT = re.compile(
    r"\b(?:without|no|not|never|none|nothing|\w+n['’]t|bypass\w*|skip\w*|avoid\w*|around|"
    r"instead|rather|free|idle|out|spare\w*|zero|less|directly|rent\w*|lease\w*)\b",
    re.I,
)


@functools.lru_cache(maxsize=1_024)
def _left_out(claim: str) -> frozenset[str]:
    """The content stems of the claim's "without" phrase, light verbs left out."""
    m = _WITHOUT.search(claim)
    if not m:
        return frozenset()
    return frozenset(
        norm_token(w)
        for w in words(m["what"])
        if w.lower() not in STOPWORDS and norm_token(w) not in _LIGHT
    )


def affirmed(claim: str, sentence: str) -> bool:
    """A clause says the claim's "without" thing is part of it after all: two of the phrase's
    words, or one after the claim's subject, in a clause with no word that keeps it out and no
    other agent doing it ("while NVIDIA buys and runs the hardware" keeps the claim)."""
    what = _left_out(claim)
    if not what:
        return False
    own = subject(claim)
    for clause in _CLAUSES.split(sentence):
        tokens = [w.lower() for w in words(clause)]
        if not tokens or negators(tokens) or _ABSENT.search(clause):
            continue
        normed = [norm_token(t) for t in tokens]
        found = set(matched_terms(dict.fromkeys(what, 1.0), set(normed)))
        if not found:
            continue
        wanted = dict.fromkeys(found, 1.0)
        first = min(i for i, t in enumerate(normed) if matched_terms(wanted, {t}))
        before = {norm_token(t) for t in nouns(tokens[:first])}
        named = bool(own & before)
        if before - own and not named:
            continue  # another agent does it
        if len(found) >= 2 or named:
            return True
    return False
