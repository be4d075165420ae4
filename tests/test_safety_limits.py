"""Issue 9: hostile CLI and JSONL input is refused line by line, with the limit named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prep_agent.cli.main import main

GOOD = {"question": "What is DGX Spark?", "answer": "DGX Spark is a desktop AI computer.",
        "key_points": ["DGX Spark is a desktop AI computer"], "id": "good"}


def test_grade_survives_every_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        "[" * 200_000 + "]" * 200_000,  # RecursionError in the JSON parser
        '{"question": "q", "answer": "lone \\ud800 surrogate", "key_points": ["k"], '
        '"id": "sur"}',  # TypeError inside the tokenizer
        '{"question": "q", "key_points": ["k"]}',
        json.dumps(GOOD),
    ]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["grade", str(path)]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4]
    assert "nested too deeply" in rows[0]["error"]
    assert "error" in rows[1] or rows[1]["id"] == "sur"  # graded or an error line, no crash
    assert "answer" in rows[2]["error"]
    assert rows[3]["id"] == "good" and rows[3]["score"] > 0


@pytest.mark.parametrize("value", ["1000000", "0", "-3", "21"])
def test_questions_out_of_range_names_the_max(value: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["interview", "--questions", value])
    assert exit_info.value.code == 2
    assert "1 to 20 main questions" in capsys.readouterr().err
