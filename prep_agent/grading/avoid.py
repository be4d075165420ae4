"""Avoid notes ("Skip DGX hardware details (e.g., NVLink). Focus on ...") and the answer
sentences that stray into them.

A note is reduced to its avoid clause: instruction verbs ("Skip", "Don't bring up") and the
part that says what to do instead ("Focus on ...") are dropped, and its examples ("e.g., NVLink")
are kept apart. A sentence hits the note when it names an example, uses the clause's own
distinctive words, shows the clause's kind of detail (hardware specs, jargon, prices), or is
semantically closer to the clause than to every key point and close to it in absolute terms.
Words the question, key points or resume facts use never count: restating a key point that
mentions DGX is not "DGX hardware details".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from prep_agent.grading.models import AvoidHit
from prep_agent.text.match import (
    content_terms,
    matched_terms,
    negation_count,
    sentence_spans,
    token_set,
    words,
)

if TYPE_CHECKING:
    from prep_agent.grading.prepare import PreparedAnswer

AVOID_SIM = 0.45  # semantic hits must be this close to the avoid clause...
AVOID_MARGIN = 0.15  # ...and this much closer to it than to any key point

_INSTRUCTION = re.compile(
    r"^\s*(?:please\s+)?(?:(?:try\s+(?:not\s+)?to|make sure (?:not|you don't)(?:\s+to)?)\s+)?"
    r"(?:skip|avoid|omit|leave out|steer clear of|stay away from|don'?t|do not|never|"
    r"no need (?:for|to)|refrain from|drop|cut|no|without)\b[\s:,-]*"
    r"(?:(?:bring(?:ing)?\s+up|mention(?:ing)?|go(?:ing)?\s+into|discuss(?:ing)?|"
    r"talk(?:ing)?\s+about|dwell(?:ing)?\s+on|get(?:ting)?\s+into|list(?:ing)?|"
    r"giv(?:e|ing)|us(?:e|ing)|cit(?:e|ing)|rais(?:e|ing)|includ(?:e|ing)|"
    r"explain(?:ing)?|lead(?:ing)?\s+with|focus(?:ing)?\s+on|recit(?:e|ing)|claim(?:ing)?|"
    r"say(?:ing)?|stat(?:e|ing)|suggest(?:ing)?|overus(?:e|ing))\b\s*)?",
    re.IGNORECASE,
)
# What to do instead is not what to avoid.
_INSTEAD = re.compile(
    r"(?:[,;:\u2013\u2014]|\s-\s|\s(?:and|but)\b)\s*(?:and\s+|but\s+)?(?:instead|rather|"
    r"focus(?:ing)?\s+on|stick\s+to|concentrate\s+on|emphasi[sz]e|talk\s+about|explain)\b.*$"
    r"|\s+instead\b.*$",
    re.IGNORECASE,
)
_DO_SENTENCE = re.compile(
    r"^\s*(?:instead|focus|rather|stick|concentrate|emphasi[sz]e|talk about|stay on|keep to|"
    r"lead with|explain|mention)\b",
    re.IGNORECASE,
)
_EXAMPLES = re.compile(
    r"\((?:e\.\s?g\.?|i\.\s?e\.?|eg|like|such as|for example|for instance)?,?\s*([^)]*)\)"
    r"|\b(?:e\.\s?g\.|such as|for example|for instance|including)\s*,?\s*(.+)$",
    re.IGNORECASE,
)
_LIST_SPLIT = re.compile(r"\s*(?:,|/|;|\bor\b|\band\b|\betc\.?)\s*", re.IGNORECASE)
# Words that say "this kind of thing", not a topic: "details", "answers", "specifics".
_GENERIC = frozenset(
    content_terms(
        "detail details specifics specific information info answer answers response responses "
        "talk discussion mention mentions topic topics point points deep dive dives heavy long "
        "lengthy level much many too overly excessive lot lots"
    )
)

_HARDWARE = re.compile(
    r"\b(?:hardware|specs?|specifications?|chips?|interconnects?|memory|internals|"
    r"architecture|silicon|gpus?\s+details?|bandwidth|benchmarks?|speeds?\s+and\s+feeds)\b",
    re.IGNORECASE,
)
# Command lines and config: "kubectl flags", "YAML fields", "CLI options", "exact commands".
_COMMANDS = re.compile(
    r"\b(?:flags?|commands?|cli|syntax|yaml|manifests?|config(?:uration)? (?:fields?|keys?|files?)|"
    r"command[- ]line|options|arguments|kubectl|helm)\b",
    re.IGNORECASE,
)
_COMMAND_SIGNAL = re.compile(
    r"(?<![\w-])--?[a-z][\w-]*(?:=\S+)?|\b\w+\.ya?ml\b|\b[a-z][a-zA-Z]*:\s+\S+"
    r"|\b(?:kubectl|helm|docker|git|gcloud|aws|az|terraform|npm|pip)\s+[a-z][\w-]*"
    r"|\b[a-z]\w*\.[a-z]\w*(?:\.[a-z]\w*)*\b|\bapiVersion\b",
)
_JARGON = re.compile(r"\b(?:jargon\w*|acronyms?|buzzwords?|technical terms?)\b", re.IGNORECASE)
_PRICING = re.compile(r"\b(?:pric\w*|costs?|budgets?|money|dollars?|fees?)\b", re.IGNORECASE)

_SPEC_UNIT = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(?:[KMGTP]B(?:/s)?|[KMGT]i?B|GHz|MHz|k?W|[TP]FLOPS|petaflops?|"
    r"teraflops?|exaflops?|TOPS|Gb/s|Gbps|nm|cores?|threads|lanes?|bits?)\b",
    re.IGNORECASE,
)
_SPEC_NAME = re.compile(
    r"\b(?:NVLink\w*|NVSwitch\w*|InfiniBand|PCIe\w*|HBM\w*|LPDDR\w*|G?DDR\d\w*|ConnectX\w*|"
    r"BlueField\w*|NVMe|SXM\d?|superchips?|C2C|tensor cores?|CUDA cores?|unified memory|"
    r"memory bandwidth|high-bandwidth memory|interconnects?|TDP|transistors?)\b",
    re.IGNORECASE,
)
_CHIP = re.compile(r"\b(?:[A-Z]{1,3}\d{2,4}[A-Za-z]?|Grace|Hopper|Blackwell|Ampere|Arm)\b")
_MONEY = re.compile(r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:dollars|usd|euros?)\b", re.IGNORECASE)
_PRICE_WORD = re.compile(
    r"\b(?:pric\w*|costs?|costing|expensive|cheap\w*|afford\w*|retail\w*|msrp|discount\w*|"
    r"licen[cs]e fees?|fees?|sells? for|pay(?:ing)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AvoidRule:
    """One avoid note reduced to what it forbids."""

    note: str
    clause: str  # the avoid clause, e.g. "DGX hardware details"
    examples: tuple[str, ...]  # e.g. ("NVLink",)
    alternatives: tuple[tuple[str, ...], ...]  # distinctive words of each "or"/"," option
    kinds: frozenset[str]  # "hardware", "jargon", "pricing"
    negated: bool = False  # the clause's own polarity ("claim X does not Y")


def parse_avoid(note: str) -> AvoidRule:
    """Isolate what an avoid note forbids: no instruction verbs, no "focus on" part."""
    sentences = [s.text for s in sentence_spans(note, clauses=False)] or [note]
    kept = [s for s in sentences if not _DO_SENTENCE.match(s)] or sentences[:1]
    clause = " ".join(kept)
    examples: list[str] = []
    for match in _EXAMPLES.finditer(clause):
        listed = match.group(1) or match.group(2) or ""
        listed = _INSTEAD.sub("", listed)
        examples += [e.strip(" .") for e in _LIST_SPLIT.split(listed) if e and e.strip(" .")]
    clause = _EXAMPLES.sub(" ", clause)
    clause = _INSTEAD.sub("", clause)
    clause = _INSTRUCTION.sub("", clause).strip(" .,;:-")
    clause = " ".join(clause.split()) or " ".join(note.split())
    alternatives = tuple(
        terms
        for option in _LIST_SPLIT.split(clause)
        if (terms := tuple(t for t in content_terms(option) if t not in _GENERIC))
    )
    kinds = {
        kind
        for kind, pattern in (
            ("hardware", _HARDWARE),
            ("jargon", _JARGON),
            ("pricing", _PRICING),
            ("commands", _COMMANDS),
        )
        if pattern.search(clause) or any(pattern.search(e) for e in examples)
    }
    if any(_SPEC_NAME.search(e) or _SPEC_UNIT.search(e) for e in examples):
        kinds.add("hardware")
    if "hardware" not in kinds:
        # "Deep dives into InfiniBand signalling": that name, not any hardware detail.
        examples += [m.group(0) for m in _SPEC_NAME.finditer(clause)]
    negated = negation_count(clause) % 2 == 1
    return AvoidRule(note, clause, tuple(examples), alternatives, frozenset(kinds), negated)


def _foreign(found: list[str], context: set[str]) -> list[str]:
    """Matched words that the question, key points and resume facts do not already use."""
    return [w for w in found if not matched_terms(content_terms(w), context)]


def hardware_signals(sentence: str, context: set[str]) -> int:
    """Strength of hardware-spec detail: sizes and speeds, interconnect and chip names."""
    score = 2 * len(_foreign([m.group(0) for m in _SPEC_UNIT.finditer(sentence)], context))
    score += 2 * len(_foreign([m.group(0) for m in _SPEC_NAME.finditer(sentence)], context))
    score += len(_foreign([m.group(0) for m in _CHIP.finditer(sentence)], context))
    return score


def jargon_heavy(sentence: str, context: set[str]) -> bool:
    """Three or more acronyms / code-like terms the notes do not use, a quarter of the words."""
    tokens = words(sentence)
    odd = [
        w
        for w in tokens
        if len(w) >= 2
        and (
            sum(c.isupper() for c in w) >= 2
            or "_" in w
            or any(c.isupper() for c in w[1:])
            or (any(c.isdigit() for c in w) and any(c.isalpha() for c in w))
        )
    ]
    odd += re.findall(r"\b\w+(?:\.\w+)+\b|\w+\(\)", sentence)  # spec.replicas, foo()
    odd = _foreign(odd, context)
    return len(odd) >= 3 and len(odd) >= 0.25 * max(len(tokens), 1)


def pricing_talk(sentence: str, context: set[str]) -> bool:
    """A price word, or an amount of money next to a buying word, that the notes do not use."""
    price_words = _foreign([m.group(0) for m in _PRICE_WORD.finditer(sentence)], context)
    return bool(price_words) or bool(_MONEY.search(sentence) and _PRICE_WORD.search(sentence))


def command_talk(sentence: str) -> bool:
    """Two or more command-line or config signals: flags, subcommands, key: value, *.yaml."""
    return len(_COMMAND_SIGNAL.findall(sentence)) >= 2


def kinds_shown(sentence: str, context: set[str]) -> frozenset[str]:
    """The kinds of detail a sentence goes into: "hardware", "jargon", "pricing", "commands"."""
    shown = {
        kind
        for kind, test in (
            ("hardware", lambda: hardware_signals(sentence, context) >= 2),
            ("jargon", lambda: jargon_heavy(sentence, context)),
            ("pricing", lambda: pricing_talk(sentence, context)),
            ("commands", lambda: command_talk(sentence)),
        )
        if test()
    }
    return frozenset(shown)


@dataclass(frozen=True)
class AvoidWords:
    """A rule's words for one request: what the notes already use is left out."""

    example_names: tuple[dict[str, float], ...]  # any one of an example's names is a hit
    example_words: tuple[dict[str, float], ...]  # all words of a nameless example are a hit
    options: tuple[dict[str, float], ...]  # all words of one option of the clause are a hit
    kinds: frozenset[str]
    negated: bool


def avoid_words(rule: AvoidRule, context: set[str]) -> AvoidWords:
    """The rule's example and clause words that the question, key points and resume lack."""
    names: list[dict[str, float]] = []
    nameless: list[dict[str, float]] = []
    for example in rule.examples:
        terms = {t: w for t, w in content_terms(example).items() if t not in context}
        named = {t: w for t, w in terms.items() if w > 1}
        if named:
            names.append(named)
        elif terms:
            nameless.append(terms)
    options = [
        own
        for option in rule.alternatives
        if (own := {t: 1.0 for t in option if not matched_terms({t: 1.0}, context)})
    ]
    return AvoidWords(tuple(names), tuple(nameless), tuple(options), rule.kinds, rule.negated)


def lexical_avoid(
    words_: AvoidWords, tokens: set[str], shown: frozenset[str], negated: bool = False
) -> bool:
    """Names an example, says what an option of the clause says, or shows its kind of detail."""
    # An option needs all its words and the clause's polarity: "the scheduler does not
    # gang-schedule" is not the claim that it does. `shown` comes from kinds_shown.
    if any(matched_terms(names, tokens) for names in words_.example_names):
        return True
    if any(len(matched_terms(t, tokens)) == len(t) for t in words_.example_words):
        return True
    if words_.kinds:
        # "DGX hardware details": the kind of detail decides, not a mention of DGX.
        return bool(words_.kinds & shown)
    if negated != words_.negated:
        return False
    return any(len(matched_terms(own, tokens)) == len(own) for own in words_.options)


def semantic_avoid(
    sent_vec: np.ndarray,
    clause_vec: np.ndarray,
    kp_vecs: np.ndarray,
    sim: float = AVOID_SIM,
    margin: float = AVOID_MARGIN,
) -> bool:
    """Close to the avoid clause, and clearly closer to it than to any key point."""
    to_clause = float(sent_vec @ clause_vec)
    to_points = float((kp_vecs @ sent_vec).max()) if len(kp_vecs) else 0.0
    return to_clause >= sim and to_clause >= to_points + margin


def avoid_hits(p: PreparedAnswer) -> list[AvoidHit]:
    """Each avoid note with the answer's sentences that stray into what it forbids."""
    # Words the question, key points or resume facts use are what the answer should say.
    context = p.question_tokens.union(
        *(token_set(k) for k in p.req.key_points), *(token_set(r) for r in p.req.resume_links)
    )
    kp_vecs = np.vstack(p.kp_vecs) if p.kp_vecs else np.zeros((0, p.sent_vecs.shape[1]))
    # Which kinds of detail each sentence shows is the same for every note: find it once.
    needs_kinds = any(rule.kinds for rule in p.avoid_rules)
    shown = {
        i: kinds_shown(p.spans[i].text, context) if needs_kinds else frozenset() for i in p.usable
    }
    negated = {i: negation_count(p.spans[i].text) % 2 == 1 for i in p.usable}
    hits: list[AvoidHit] = []
    for rule, clause_vec in zip(p.avoid_rules, p.avoid_vecs, strict=True):
        own_words = avoid_words(rule, context)
        evidence = []
        for i in p.usable:
            vectors = [p.sent_vecs[i], *p.clause_vecs[i]]
            # Embeddings miss negation: "does not do X" sits next to "does X". A rule about a
            # kind of detail (hardware specs, commands) fires on that detail only: a sentence
            # that names the product ("DGX Station") sits near "DGX hardware details" in
            # embedding space without going into any.
            semantic = (
                not rule.kinds
                and negated[i] == rule.negated
                and any(
                    semantic_avoid(
                        v, clause_vec, kp_vecs, p.rubric.avoid_sim, p.rubric.avoid_margin
                    )
                    for v in vectors
                )
            )
            if semantic or lexical_avoid(own_words, p.sent_tokens[i], shown[i], negated[i]):
                evidence.append(p.spans[i].text)
        if evidence:
            hits.append(AvoidHit(avoid=rule.note, evidence=evidence))
    return hits
