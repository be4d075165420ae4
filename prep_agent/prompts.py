"""Prompt sets: validated YAML files in prompts/, built into langchain-core ChatPromptTemplates.

Each `prompts/NAME.yaml` holds a persona, three LLM prompts (question, followup, judge) and the
offline question templates, so swapping the set changes both engines. Variables are checked
against the documented sets below; errors name the file, the key and the variable.

Judge reply shape (every judge prompt asks the model for exactly this JSON; scoring's
prep_agent/judge.py parses it and verifies the quotes):

    {"key_points": [{"key_point": str, "status": "covered"|"partial"|"missing"|"contradicted",
                     "evidence": [str, ...]}],          # evidence: verbatim quotes from the answer
     "resume":     [{"fact": str, "evidence": str}],    # resume facts the answer used
     "avoid_hits": [{"avoid": str, "evidence": str}],   # things to avoid that the answer did
     "overall": int 0..100,
     "rationale": str}
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prep_agent.errors import PromptError
from prep_agent.grading.rubric import GradingRubric
from prep_agent.text.templates import (
    MAX_YAML_DEPTH,
    cap_value,
    check_plain_fields,
    nesting_depth,
    template_variables,
)

QuestionType = Literal["knowledge", "scenario", "behavioral", "drill"]
FieldKind = Literal["key_point", "goal", "resume_link", "resume_tie_in", "practice"]
# Follow-up templates by the missed key point's status; "resume" serves behavioural questions.
FollowupKey = Literal["missing", "partial", "contradicted", "resume"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("knowledge", "scenario", "behavioral", "drill")

# Documented variables (`*_VARS` may appear in a prompt, `*_REQUIRED` must):
#   system:   role (settings.role)
#   question: role, topic, item, subject (what the question must name), question_type
#             (knowledge|scenario|behavioral|drill), key_points (bullets the answer should cover,
#             secret), grounding (bullets "[source:line] (kind) text"), resume_facts, avoid,
#             sentences (drill length), draft (the offline wording), asked (earlier questions)
#   followup: role, topic, subject, question, answer (delimited data), missed_key_point (secret),
#             status ("left out" | "only partly covered" | "contradicted"), grounding, draft, depth
#   compact.question / compact.followup (optional; short prompts for small local models): the
#             question / followup variables, and must use draft
#   judge:    question, answer (delimited data), key_points (bullets, a compound key point's
#             claims as "  - claim:" sub-bullets), resume_links, avoid, question_type, criteria
#             (bullets "name: label" of the question type's rubric criteria)
#   offline:  subject, topic, item, role, sentences ("2"), sentences_word ("two"), resume_fact
#             ("your VMware BI team launch")
SYSTEM_VARS = frozenset({"role"})
QUESTION_VARS = frozenset({
    "role", "topic", "item", "subject", "question_type", "key_points", "grounding",
    "resume_facts", "avoid", "sentences", "draft", "asked",
})
QUESTION_REQUIRED = frozenset({"subject", "question_type", "grounding"})
FOLLOWUP_VARS = frozenset({
    "role", "topic", "subject", "question", "answer", "missed_key_point", "status",
    "grounding", "draft", "depth",
})
FOLLOWUP_REQUIRED = frozenset({"question", "answer", "missed_key_point"})
JUDGE_VARS = frozenset({
    "question", "answer", "key_points", "resume_links", "avoid", "question_type", "criteria",
})
JUDGE_REQUIRED = frozenset({"question", "answer", "key_points"})
OFFLINE_VARS = frozenset({
    "subject", "topic", "item", "role", "sentences", "sentences_word", "resume_fact",
})
OFFLINE_REQUIRED = frozenset({"subject"})
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_PROMPT_BYTES = 256 * 1024  # the shipped sets are ~5 KB


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PromptSettings(_Strict):
    """Knobs of a prompt set."""

    role: str = "technical program manager"
    followups_per_question: int = Field(default=2, ge=0, le=5)
    question_types: list[QuestionType] = Field(default_factory=lambda: list(QUESTION_TYPES))
    drill_sentences: int = Field(default=2, ge=1, le=5)
    max_question_chars: int = Field(default=500, ge=80, le=4000)


class JudgePrompt(_Strict):
    """The grader's own system prompt and the human message that carries the answer."""

    system: str
    human: str


class OfflineTemplates(_Strict):
    """Offline question templates by question type and note field kind, plus follow-ups."""

    knowledge: dict[FieldKind, list[str]] = Field(default_factory=dict)
    scenario: dict[FieldKind, list[str]] = Field(default_factory=dict)
    behavioral: dict[FieldKind, list[str]] = Field(default_factory=dict)
    drill: dict[FieldKind, list[str]] = Field(default_factory=dict)
    followup: dict[FollowupKey, list[str]]

    def for_type(self, qtype: QuestionType) -> dict[FieldKind, list[str]]:
        """Templates of one question type."""
        templates: dict[FieldKind, list[str]] = getattr(self, qtype)
        return templates


class CompactPrompts(_Strict):
    """Short prompts for a small local model: rephrase the offline draft, reveal nothing."""

    question: str
    followup: str


class PromptSetFile(_Strict):
    """Schema of one prompts/NAME.yaml file."""

    name: str
    description: str
    settings: PromptSettings = Field(default_factory=PromptSettings)
    grading: GradingRubric = Field(default_factory=GradingRubric)
    system: str
    question: str
    followup: str
    compact: CompactPrompts | None = None
    judge: JudgePrompt
    offline: OfflineTemplates


class PromptSet(BaseModel):
    """A validated prompt set with its content hash."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    path: Path
    hash: str
    settings: PromptSettings
    system: str
    question: str
    followup: str
    compact: CompactPrompts | None = None
    judge: JudgePrompt
    templates: OfflineTemplates
    grading: GradingRubric = Field(default_factory=GradingRubric)

    def question_template(self, compact: bool = False) -> ChatPromptTemplate:
        """Persona plus the question prompt (the compact one, if asked for and present)."""
        if compact and self.compact is not None:
            return _chat(self.system, self.compact.question)
        return _chat(self.system, self.question)

    def followup_template(self, compact: bool = False) -> ChatPromptTemplate:
        """Persona plus the follow-up prompt (the compact one, if asked for and present)."""
        if compact and self.compact is not None:
            return _chat(self.system, self.compact.followup)
        return _chat(self.system, self.followup)

    def judge_template(self) -> ChatPromptTemplate:
        """The grader's system prompt plus the rubric; fill it with `judge_variables(...)`."""
        return _chat(self.judge.system, self.judge.human)

    def partial_vars(self) -> dict[str, str]:
        """Values that come from the set itself rather than from the session."""
        return {"role": self.settings.role}


class PromptSetInfo(BaseModel):
    """One row of a listing: a broken file shows up with valid=False and the reason."""

    name: str
    valid: bool
    error: str | None = None
    hash: str | None = None
    description: str = ""
    path: Path
    builtin: bool = True


def _delimited(text: str) -> str:
    # The answer sits between <answer> tags; stop it from closing them early.
    return re.sub(r"</?\s*answer\s*>", "[tag removed]", text, flags=re.IGNORECASE)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) if items else "- (none)"


def judge_variables(
    question: str,
    answer: str,
    key_points: list[str],
    resume_links: list[str] | None = None,
    avoid: list[str] | None = None,
) -> dict[str, str]:
    """Variables for `judge_template()`, with the answer neutralised as delimited data."""
    return {
        "question": question,
        "answer": _delimited(answer),
        "key_points": _bullets(key_points),
        "resume_links": _bullets(resume_links or []),
        "avoid": _bullets(avoid or []),
    }


class CappedChatPrompt(ChatPromptTemplate):
    """A ChatPromptTemplate whose every rendered value is capped at MAX_VALUE_CHARS."""

    def format_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """Format with each value capped, so no field can blow up the prompt or its cost."""
        return super().format_messages(**{k: cap_value(v) for k, v in kwargs.items()})


def _chat(system: str, human: str) -> ChatPromptTemplate:
    return CappedChatPrompt.from_messages([("system", system), ("human", human)])


def _check_vars(
    where: str, key: str, text: str, allowed: frozenset[str], required: frozenset[str]
) -> None:
    try:
        check_plain_fields(where, key, text)
        used = template_variables(text)
    except ValueError as exc:
        raise PromptError(
            f"{where}: key '{key}' has unbalanced braces ({exc}): write literal braces as {{{{ }}}}"
        ) from exc
    unknown = sorted(used - allowed)
    if unknown:
        raise PromptError(
            f"{where}: key '{key}' uses unknown variable {{{unknown[0]}}}: "
            f"use one of {', '.join('{' + v + '}' for v in sorted(allowed))}"
        )
    missing = sorted(required - used)
    if missing:
        raise PromptError(
            f"{where}: key '{key}' is missing required variable {{{missing[0]}}}: add it"
        )


def _validation_message(where: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"{where}: key '{key}' is not allowed: remove it or fix its spelling"
    if err["type"] == "missing":
        return f"{where}: key '{key}' is missing: add it"
    return f"{where}: key '{key}': {err['msg']}: fix the value"


def parse_prompt_set(text: str, path: Path, label: str | None = None) -> PromptSet:
    """Validate YAML text as the prompt set stored at `path` (the name must match the file)."""
    where = label or path.name
    size = len(text.encode("utf-8", "replace"))
    if size > MAX_PROMPT_BYTES:
        raise PromptError(f"{where}: the file is {size // 1024} KB; a prompt set may be at most "
                          f"{MAX_PROMPT_BYTES // 1024} KB: shorten it")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise PromptError(f"{where}: invalid YAML{at}: fix the syntax ({exc})") from exc
    except RecursionError as exc:
        raise PromptError(f"{where}: the YAML is nested too deeply: a prompt set nests at most "
                          f"{MAX_YAML_DEPTH} levels") from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise PromptError(f"{where}: a value cannot be read ({str(exc)[:120]}): "
                          "fix or quote it") from exc
    if nesting_depth(data, MAX_YAML_DEPTH) > MAX_YAML_DEPTH:
        raise PromptError(f"{where}: the YAML is nested too deeply: a prompt set nests at most "
                          f"{MAX_YAML_DEPTH} levels")
    if not isinstance(data, dict):
        raise PromptError(f"{where}: expected a mapping of keys (name, system, ...): see prompts/")
    try:
        spec = PromptSetFile.model_validate(data)
    except ValidationError as exc:
        raise PromptError(_validation_message(where, exc)) from exc
    if spec.name != path.stem:
        raise PromptError(
            f"{where}: key 'name' is {spec.name!r} but the file is {path.name}: make them match"
        )
    _check_vars(where, "system", spec.system, SYSTEM_VARS, frozenset())
    _check_vars(where, "question", spec.question, QUESTION_VARS, QUESTION_REQUIRED)
    _check_vars(where, "followup", spec.followup, FOLLOWUP_VARS, FOLLOWUP_REQUIRED)
    if spec.compact is not None:
        _check_vars(where, "compact.question", spec.compact.question, QUESTION_VARS,
                    frozenset({"draft"}))
        _check_vars(where, "compact.followup", spec.compact.followup, FOLLOWUP_VARS,
                    frozenset({"draft"}))
    _check_vars(where, "judge.system", spec.judge.system, JUDGE_VARS, frozenset())
    _check_vars(where, "judge.human", spec.judge.human, JUDGE_VARS, JUDGE_REQUIRED)
    for qtype in QUESTION_TYPES:
        for kind, templates in spec.offline.for_type(qtype).items():
            for i, tpl in enumerate(templates):
                _check_vars(where, f"offline.{qtype}.{kind}[{i}]", tpl, OFFLINE_VARS,
                            OFFLINE_REQUIRED)
    for status, templates in spec.offline.followup.items():
        for i, tpl in enumerate(templates):
            _check_vars(where, f"offline.followup.{status}[{i}]", tpl, OFFLINE_VARS,
                        OFFLINE_REQUIRED)
    for qtype in spec.settings.question_types:
        if not any(spec.offline.for_type(qtype).values()):
            raise PromptError(
                f"{where}: key 'offline.{qtype}' has no templates but settings.question_types "
                f"lists {qtype}: add templates or drop the type"
            )
    if not spec.offline.followup.get("missing"):
        raise PromptError(f"{where}: key 'offline.followup.missing' is missing: add a template")
    return PromptSet(
        name=spec.name, description=spec.description.strip(), path=path,
        hash=hashlib.sha256(text.encode()).hexdigest()[:12], settings=spec.settings,
        system=spec.system, question=spec.question, followup=spec.followup,
        compact=spec.compact, judge=spec.judge, templates=spec.offline, grading=spec.grading,
    )


def render_offline(template: str, values: dict[str, Any]) -> str:
    """Fill an offline template (plain fields, checked at load) with every value capped."""
    return template.format_map({k: cap_value(v) for k, v in values.items()})
