"""Find the noun phrase a note line is about, worded the way an interviewer would say it."""

from __future__ import annotations

import re

from prep_agent.interview.leaks import STOPWORDS

GENERIC_TITLE_WORDS = {
    "overview", "buzz", "basics", "intro", "introduction", "deep", "dive", "notes", "summary",
    "review", "recap", "primer", "101", "the", "and", "of", "a", "an",
}
FALLBACK_RESUME_FACT = "the most relevant project on your résumé"
# Study verbs open Goal lines ("Learn DGX as ..."); the subject follows them.
LEADING_VERBS = re.compile(
    r"^(?:learn|understand|know|review|study|explore|see|grasp|master|read about)\s+(?:about\s+)?",
    re.IGNORECASE,
)
# Resume Link, Tie-In and Practice lines are instructions to the candidate ("Compare to your
# ...", "Mention your ...", "Explain X in 2 sentences"): the verb is never the subject.
_LINKING = r"(?:compare|tie|link|connect|relate|map|contrast|liken)"
_TELLING = (r"(?:mention|highlight|emphasi[sz]e|stress|show(?:case)?|cite|reference|note|"
            r"point\s+(?:to|at)|bring\s+up|draw\s+on|lean\s+on|use|leverage|explain|describe|"
            r"pitch|summari[sz]e|present|define|introduce|discuss|talk\s+about|say|focus\s+on|"
            r"share|give|tell|walk\s+through)")
INSTRUCTION = re.compile(
    rf"^(?:{_LINKING}(?:\s+(?:it|this|that|them))?\s+(?:back\s+)?(?:to|with)"
    rf"|{_TELLING}(?:\s+(?:it|this|that))?(?:\s+(?:to|with|on|about))?)\s+",
    re.IGNORECASE,
)
# Words that can open a sentence but never name what it is about.
NON_SUBJECTS = STOPWORDS | {
    "i've", "we're", "we'd", "we've", "you're", "you'd", "it's", "they're", "mine", "yours",
    "ours", "theirs", "if", "when", "while", "because", "since", "although", "though", "once",
    "both", "each", "every", "all", "any", "some", "one", "either", "neither", "same",
    "compare", "tie", "link", "connect", "relate", "mention", "highlight", "emphasize",
    "emphasise", "stress", "show", "cite", "note", "use", "leverage", "explain", "describe",
    "pitch", "summarize", "summarise", "present", "define", "introduce", "discuss", "say",
    "skip", "focus", "avoid", "practice", "practise", "remember", "make", "keep", "don't",
    "do", "try", "ask", "tell", "give", "share", "walk",
}
_CLAUSE_END = re.compile(
    r"\s+(?:shows?|proves?|demonstrates?|highlights?|means|gives|helps|which|that|because|so|"
    r"as|since|where|when|while)\s+|[—–;:()]|,\s|\s-\s|\.(?:\s|$)",
    re.IGNORECASE,
)
PAST_TENSE = {
    "led", "ran", "built", "cut", "drove", "grew", "made", "won", "set", "took", "brought",
    "wrote", "began", "sold", "kept", "held", "oversaw", "rebuilt", "shipped", "saved", "hired",
    "taught", "spun", "stood", "undertook", "co-led", "put", "got", "did",
}
_POSSESSIVE = re.compile(r"^(?:your|my)\s+", re.IGNORECASE)
_PUNCT = ",.;:!?()\"'“”’"


def title_words(*titles: str) -> set[str]:
    """Lowercased meaningful words of titles."""
    return {w.lower() for t in titles for w in re.findall(r"[\w$]+", t)} - GENERIC_TITLE_WORDS


def is_dangling(subject: str) -> bool:
    """True when a subject names nothing: empty, a pronoun or possessive, or an instruction verb."""
    tokens = [t.strip(_PUNCT).lower().replace("’", "'") for t in subject.split()]
    tokens = [t for t in tokens if t]
    if not tokens:
        return True
    return all(t in NON_SUBJECTS for t in tokens) or tokens[0] in NON_SUBJECTS - {
        "the", "a", "an", "your"}


def _strip(text: str) -> str:
    body = LEADING_VERBS.sub("", text.strip().strip("\"'“”‘’ "))
    return INSTRUCTION.sub("", body, count=1)


def _possessive_phrase(body: str) -> str | None:
    """'your Microsoft ops—both ...' -> 'your Microsoft ops' (always second person)."""
    match = _POSSESSIVE.match(body)
    if not match:
        return None
    phrase = _CLAUSE_END.split(body[match.end():], maxsplit=1)[0].strip(_PUNCT + " ")
    if not phrase or is_dangling(phrase):
        return None
    return f"your {phrase}"


def subject_of(text: str, *titles: str) -> str | None:
    """The noun phrase a line opens with ("Tie to your X—..." -> "your X"); None for pronouns."""
    body = _strip(text)
    resume = _possessive_phrase(body)
    if resume:
        return resume
    article = re.match(r"^(the|a|an)\s+", body, flags=re.IGNORECASE)
    if article:
        body = body[article.end():]
    known = title_words(*titles)
    run: list[str] = []
    for token in body.split():
        word = token.strip(_PUNCT)
        if not word or word.lower().replace("’", "'") in NON_SUBJECTS:
            break
        owner = re.sub(r"['’]s$", "", word)
        if word[0].isupper() or word[0].isdigit() or owner.lower() in known:
            run.append(owner)
            if token != word or owner != word:
                break  # punctuation or a possessive ("Spark’s focus") ends the noun phrase
        else:
            break
        if len(run) == 5:
            break
    if not run:
        return None
    if len(run) > 1 and run[0].istitle() and all(w.islower() for w in run[1:]):
        run[0] = run[0].lower()  # capitalised only because it opens the sentence
    phrase = " ".join(run)
    if article and phrase.islower():
        phrase = f"{article.group(1).lower()} {phrase}"  # "the control plane", not "control plane"
    elif article and len(run) == 1 and run[0].istitle():
        phrase = f"the {phrase}"  # "A Deployment rolls out ..." -> "the Deployment"
    return phrase


def resume_phrase(text: str) -> str:
    """The resume fact a Resume Link or Tie-In line points at, in second person ('your ...')."""
    body = _strip(text)
    found = _possessive_phrase(body)
    if found:
        return found
    lower = f" {body.lower()}"
    for marker in (" your ", " my "):
        if marker in lower:
            found = _possessive_phrase(body[lower.index(marker):])
            if found:
                return found
    # A bare noun phrase names the candidate's own work; anything with a pronoun or a
    # stop word up front is a sentence we cannot safely rephrase.
    phrase = _CLAUSE_END.split(body, maxsplit=1)[0].strip(_PUNCT + " ")
    tokens = [t.lower().strip(_PUNCT) for t in phrase.split()]
    if (phrase and len(tokens) <= 8 and tokens[0] not in NON_SUBJECTS
            and not {"you", "i", "we", "it", "they", "my", "our"} & set(tokens)):
        first, _, rest = phrase.partition(" ")
        if tokens[0] in PAST_TENSE or (tokens[0].endswith("ed") and not tokens[0].endswith("eed")
                                       and len(tokens[0]) > 4 and len(tokens) > 1):
            # Resume bullets open with a verb: "Led the migration" is the project where you
            # led the migration.
            return f"the project where you {first.lower()} {rest}".strip()
        first = first.lower() if first.istitle() else first
        return f"your {first} {rest}".strip()
    return FALLBACK_RESUME_FACT


def natural_case(phrase: str, context: str) -> str:
    """A heading in sentence case: 'Cluster Upgrades' -> 'cluster upgrades', 'DGX Spark' stays."""
    # A word the notes only ever write capitalised is a name; headings capitalise the rest.
    out = []
    for word in phrase.split():
        lower = word.lower()
        named = re.search(rf"\b{re.escape(word)}\b", context) is not None
        common = re.search(rf"\b{re.escape(lower)}\b", context) is not None
        out.append(lower if word.istitle() and len(word) > 1 and (common or not named)
                   else word)
    return " ".join(out)


_MASS_SUFFIXES = ("s", "ing", "ment", "ion", "ance", "ence", "ity", "ness", "ship", "ware")


def with_article(phrase: str) -> str:
    """'Kubernetes platform' -> 'the Kubernetes platform'; 'DGX systems' stays as it is."""
    # A name modifying a singular count noun needs "the"; plurals and mass nouns do not.
    words = phrase.split()
    head = words[-1] if words else ""
    if (len(words) > 1 and head.islower() and not head.endswith(_MASS_SUFFIXES)
            and any(not w.islower() for w in words[:-1]) and words[0].lower() != "the"):
        return f"the {phrase}"
    return phrase


def mentions(text: str, phrase: str) -> bool:
    """True when text names phrase as whole words (case-insensitive)."""
    return re.search(rf"(?<![\w$]){re.escape(phrase)}(?![\w$])", text, re.IGNORECASE) is not None
