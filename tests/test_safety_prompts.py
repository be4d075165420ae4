"""Issue 9: prompt templates take plain {name} fields only, values are capped, bad YAML is
reported per file without breaking the listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prep_agent.cli.main import main
from prep_agent.errors import PromptError
from prep_agent.prompt_library import PromptLibrary
from prep_agent.prompts import render_offline
from prep_agent.text.templates import MAX_VALUE_CHARS

ROOT = Path(__file__).resolve().parent.parent
HM = "hiring-manager"


def _edit(own_prompts: Path, old: str, new: str) -> None:
    path = own_prompts / f"{HM}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("field", "key"), [
    ("{subject:>300000000}", "question"),
    ("{topic[999]}", "question"),
    ("{subject.__class__.__mro__}", "question"),
    ("{subject!r}", "question"),
    ("{}", "question"),
])
def test_template_fields_must_be_plain_names(own_prompts: Path, field: str, key: str) -> None:
    _edit(own_prompts, "Subject the question must name: {subject}",
          f"Subject the question must name: {{subject}} {field}")
    with pytest.raises(PromptError) as err:
        PromptLibrary(own_prompts).load(HM)
    message = str(err.value)
    assert f"key '{key}'" in message and field in message
    assert "only plain {name} fields" in message


def test_judge_answer_format_spec_is_rejected(own_prompts: Path) -> None:
    _edit(own_prompts, "<answer>\n    {answer}", "<answer>\n    {answer:>20000000}")
    with pytest.raises(PromptError, match=r"'judge.human'.*\{answer:>20000000\}.*write \{answer\}"):
        PromptLibrary(own_prompts).load(HM)


def test_save_copy_rejects_a_format_spec(own_prompts: Path, tmp_path: Path) -> None:
    lib = PromptLibrary(own_prompts, tmp_path / "mine")
    text = (own_prompts / f"{HM}.yaml").read_text().replace(
        "Subject the question must name: {subject}", "Subject: {subject:>300000000}")
    with pytest.raises(PromptError, match="only plain"):
        lib.save_copy(HM, "mine", text)
    assert not (own_prompts / "mine.yaml").exists()
    assert not (tmp_path / "mine" / "mine.yaml").exists()


def test_every_rendered_value_is_capped(own_prompts: Path) -> None:
    ps = PromptLibrary(own_prompts).load(HM)
    huge = "x" * (MAX_VALUE_CHARS * 10)
    judge = ps.judge_template()
    values = {name: "x" for name in judge.input_variables} | {"answer": huge}
    messages = judge.format_messages(**values)
    assert max(len(str(m.content)) for m in messages) < MAX_VALUE_CHARS + 5000
    filled = ps.question_template().invoke({
        "role": "r", "topic": huge, "item": "i", "subject": huge, "question_type": "knowledge",
        "key_points": huge, "grounding": huge, "resume_facts": "", "avoid": "",
        "sentences": "2", "draft": huge, "asked": ""})
    assert sum(len(str(m.content)) for m in filled.to_messages()) < 6 * MAX_VALUE_CHARS + 5000
    assert len(render_offline("About {subject}?", {"subject": huge})) < MAX_VALUE_CHARS + 20


@pytest.mark.parametrize(("body", "expected"), [
    ("name: deep\nx: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("name: deep\nx: " + "[" * 20 + "]" * 20 + "\n", "nested too deeply"),
    ("name: big\nx: " + "9" * 5000 + "\n", "cannot be read"),
    ("name: huge\ndescription: '" + "y" * 300_000 + "'\n", "at most 256 KB"),
])
def test_bad_yaml_is_one_invalid_row_and_the_listing_survives(
    own_prompts: Path, body: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (own_prompts / "bad.yaml").write_text(body, encoding="utf-8")
    infos = {i.name: i for i in PromptLibrary(own_prompts).list()}
    assert not infos["bad"].valid and expected in (infos["bad"].error or "")
    assert infos[HM].valid
    assert main(["prompts", "--json"]) == 1
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[HM]["valid"] and not rows["bad"]["valid"]
