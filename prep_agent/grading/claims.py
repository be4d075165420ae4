"""Split a key point into atomic claims, each graded on its own.

A key point often bundles several claims: coordinated clauses ("X, and I'd manage Y"), a
participial addition ("X, combining Y"), and a comparison to the candidate's own experience
("..., like my VMware governance"). Each becomes a claim, so an answer that makes one half gets
credit for that half only, and the ledger can say which half is missing. A multi-sentence key
point (a model answer) is split into its sentences first. Lists inside one clause ("owner,
likelihood, impact and mitigation") stay one claim: they are the claim's content, not claims.
A label prefix ("Result: delivered two weeks early") is dropped, the label names the criterion.
"""

from __future__ import annotations

import re

from prep_agent.text.match import sentence_spans

MIN_CLAIM_WORDS = 3
MAX_CLAIMS = 6

_LABEL = re.compile(r"^\s*[A-Z][A-Za-z /-]{1,24}:\s+(?=\S)")
# Where a new claim starts: a comma or semicolon before a coordinator with its own clause, a
# participle that adds a second predicate, or a comparison to the candidate's experience.
_BOUNDARY = re.compile(
    r"\s*;\s*"
    r"|,\s+(?=(?:and|but|so|while|whereas|then)\s+(?!also\b)\w)"
    r"|,\s+(?=(?:combining|including|using|bringing|enabling|letting|making|giving|"
    r"allowing|adding|keeping|which)\b)"
    r"|,?\s+(?=(?:like|as)\s+(?:my|our|the|in|at|with|when)\s+\w+)"
    r"|\s+(?=and\s+(?:I|I'd|I'll|I'm|we|we'd|they|it|this|that)\b)",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:and|but|so|then)\s+", re.IGNORECASE)


def is_labelled(key_point: str) -> bool:
    """The key point names a rubric element ("Situation: ...", "Risks: ...")."""
    return bool(_LABEL.match(key_point))


def label_of(key_point: str) -> str:
    """The rubric element a key point names, lower case ("task/action"); "" when none."""
    found = _LABEL.match(key_point)
    return found.group(0).strip().rstrip(":").strip().lower() if found else ""


def _tidy(piece: str) -> str:
    return _LEADING.sub("", piece.strip().strip(",;").strip())


def split_claims(key_point: str) -> list[str]:
    """The atomic claims of a key point, in order (the key point itself when it is atomic)."""
    text = key_point.strip()
    if not text:
        return [key_point]
    sentences = [s.text for s in sentence_spans(text, limit=8, clauses=False)] or [text]
    claims: list[str] = []
    for sentence in sentences:
        sentence = _LABEL.sub("", sentence).strip().rstrip(".")
        cuts = [0] + [m.end() for m in _BOUNDARY.finditer(sentence) if m.end() > 0]
        raw = [sentence[a:b] for a, b in zip(cuts, [*cuts[1:], len(sentence)], strict=True)]
        merged: list[str] = []
        for piece in raw:
            if not piece.strip(" ,;"):
                continue
            # A fragment too short to say anything ("so use X") stays with its neighbour, as
            # written.
            if merged and len(_tidy(piece).split()) < MIN_CLAIM_WORDS:
                merged[-1] += piece
            else:
                merged.append(piece)
        if len(merged) > 1 and len(_tidy(merged[0]).split()) < MIN_CLAIM_WORDS:
            merged[1] = merged[0] + merged[1]
            merged.pop(0)
        claims.extend(_tidy(m) for m in merged if m.strip(" ,;"))
    if len(claims) > MAX_CLAIMS:
        claims = claims[: MAX_CLAIMS - 1] + [", ".join(claims[MAX_CLAIMS - 1 :])]
    return claims or [text]
