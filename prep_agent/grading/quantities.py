"""Quantities in text: money, percentages, counts with their unit word, and frequencies.

Used by the contradiction rules: "$30M" against "$300M", "150 servers" against "15,000 servers",
"once a year" against "every week" are the same kind of quantity with a different value.
"""

from __future__ import annotations

import re

from prep_agent.text.match import STOPWORDS, norm_token, words

_NUMBER = re.compile(
    r"(?P<cur>[$€£])?\s?(?P<num>\d[\d,]*(?:\.\d+)?)(?:\s?(?P<mult>k|m|mm|b|bn|million|billion|"
    r"thousand))?\b(?:\s?(?P<pct>%|percent))?(?:\s+(?P<unit>[A-Za-z][\w-]*))?",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "hundred": 100,
}
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\s+([A-Za-z][\w-]*)", re.I)
_SINGLE = re.compile(r"\ba\s+single\s+([A-Za-z][\w-]*)", re.I)
# "several accountable people" against "one accountable person": more than one, but no number.
_VAGUE = re.compile(r"\b(?:several|multiple|many|numerous)\s+([A-Za-z][\w-]*)", re.I)
MANY = -1.0  # the value of a vague plural: it contradicts one, and no other count
# "to all users at once" against "to a small share of users first": the whole against a part.
_ALL = re.compile(
    r"\b(?:all|every)\s+(?:of\s+)?(?:the\s+|its\s+|their\s+|your\s+|our\s+)?([A-Za-z][\w-]*)",
    re.I,
)
_PART = re.compile(
    r"\b(?:(?:a|one)\s+(?:small\s+|tiny\s+|limited\s+)?(?:share|subset|fraction|portion|"
    r"slice|percentage|handful|sample)\s+of\s+(?:the\s+|its\s+|their\s+|your\s+|our\s+)?|"
    r"(?:some|a\s+few)\s+(?:of\s+(?:the\s+|its\s+|their\s+|your\s+|our\s+))?)([A-Za-z][\w-]*)",
    re.I,
)
_LATER = re.compile(
    r"\b(?:before|until|till|then|eventually|later|after|finally|once)\s+(?:\w+\s+)?$", re.I
)
ALL, PART = -2.0, -3.0  # the whole of a kind and a part of it contradict each other only
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9}
_MULT["billion"] = 1e9


FREQUENCY = {
    "daily": 365.0,
    "nightly": 365.0,
    "weekly": 52.0,
    "biweekly": 26.0,
    "fortnightly": 26.0,
    "monthly": 12.0,
    "quarterly": 4.0,
    "yearly": 1.0,
    "annually": 1.0,
    "annual": 1.0,
}
FREQUENCY_PHRASE = re.compile(
    r"\b(?:every|each|once a|twice a|per|a)\s+(day|week|month|quarter|year)\b", re.IGNORECASE
)
_PER_YEAR = {"day": 365.0, "week": 52.0, "month": 12.0, "quarter": 4.0, "year": 1.0}


def _quantities(text: str) -> list[tuple[float, str]]:
    """(value, kind) for each number: kind is its currency, percent or following unit word.

    A frequency ("monthly", "every week", "once a year") is a quantity too: times per year.
    """
    found: list[tuple[float, str]] = []
    for word in words(text):
        if word.lower() in FREQUENCY:
            found.append((FREQUENCY[word.lower()], "frequency"))
    for m in FREQUENCY_PHRASE.finditer(text):
        times = 2.0 if m.group(0).lower().startswith("twice") else 1.0
        found.append((times * _PER_YEAR[m.group(1).lower()], "frequency"))
    for m in _NUMBER.finditer(text):
        try:
            value = float(m.group("num").replace(",", ""))
        except ValueError:
            continue
        mult = (m.group("mult") or "").lower()
        value *= _MULT.get(mult, 1.0)
        if m.group("cur"):
            kind = "money"
        elif m.group("pct"):
            kind = "percent"
        elif m.group("unit") and m.group("unit").lower() not in STOPWORDS:
            kind = norm_token(m.group("unit"))
        else:
            continue
        found.append((value, kind))
    for m in _WORD_NUMBER.finditer(text):
        found.append((float(_NUMBER_WORDS[m.group(1).lower()]), norm_token(m.group(2))))
    for m in _SINGLE.finditer(text):
        found.append((1.0, norm_token(m.group(1))))
    for m in _VAGUE.finditer(text):
        if m.group(1).lower() not in STOPWORDS:
            found.append((MANY, norm_token(m.group(1))))
    for pattern, value in ((_ALL, ALL), (_PART, PART)):
        for m in pattern.finditer(text):
            # "roll back before all users get it": the whole reached later, not at once.
            later = value == ALL and _LATER.search(text[max(0, m.start() - 24) : m.start()])
            if m.group(1).lower() not in STOPWORDS and not later:
                found.append((value, norm_token(m.group(1))))
    return found


def _differs(a: float, b: float) -> bool:
    """Two values of one kind disagree ("several" disagrees with one, "all" with "a share of",
    and neither with any other count)."""
    if MANY in (a, b):
        return {a, b} == {MANY, 1.0}
    if {a, b} & {ALL, PART}:
        return {a, b} == {ALL, PART}
    return abs(a - b) > 1e-9 * max(1.0, a)


def quantity(reference: str, sentence: str) -> bool:
    """The sentence gives a different value for a quantity of the same kind as the reference."""
    ref = _quantities(reference)
    if not ref:
        return False
    said = _quantities(sentence)
    for value, kind in said:
        if value == ALL and (PART, kind) in said:
            continue  # "a small share of users first, and then all users": a rollout
        same_kind = [v for v, k in ref if k == kind]
        if same_kind and all(_differs(v, value) for v in same_kind):
            return True
    return False


def stated(reference: str, text: str) -> bool:
    """Every quantity of the reference appears in the text with its value (a before/after story
    that also gives the right number is not a misquote)."""
    ref = _quantities(reference)
    said = set(_quantities(text))
    return bool(ref) and all(q in said for q in ref)
