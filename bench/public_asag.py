"""Check the offline grader on a public short-answer grading set you have on disk.

Usage: python bench/public_asag.py mohler DIR [--every N]
       python bench/public_asag.py seb DIR

No data ships with Prep Agent (the sets have their own licences); point this at a copy:
- `mohler`: the UNT computer-science set (Mohler et al. 2011, 2,273 answers graded 0-5), as
  `questions.csv` (id, question, answer) and `answers.csv` (id, answer, score, correct);
- `seb`: a SciEntsBank 2-way sample as `answers.csv` (answer, correct, question,
  reference_answer, id).

Each answer is graded with the reference answer as its one key point. Prints Pearson and Spearman
against the grades (AUC for 2-way labels) for the grader and for the plain MiniLM cosine of answer
and reference, the baseline every short-answer paper starts from, and the grader's flag counts.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import claim_models  # bench/claim_models.py
from scoring import ENCODERS, bench_encoder, pearson, spearman  # bench/scoring.py

from prep_agent.grading.models import ScoreRequest
from prep_agent.grading.offline import OfflineGrader

Row = tuple[str, str, str, float]  # question, reference, answer, grade


def mohler(folder: Path, every: int) -> list[Row]:
    """(question, reference, answer, grade) rows of the UNT set."""
    with (folder / "questions.csv").open(newline="") as f:
        questions = {r["id"]: r for r in csv.DictReader(f)}
    with (folder / "answers.csv").open(newline="") as f:
        answers = [r for r in csv.DictReader(f) if r["id"] in questions][::every]
    return [
        (questions[r["id"]]["question"], questions[r["id"]]["answer"], r["answer"],
         float(r["score"]))
        for r in answers
    ]


def seb(folder: Path, every: int) -> list[Row]:
    """(question, reference, answer, 1 or 0) rows of a SciEntsBank 2-way sample."""
    with (folder / "answers.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))[::every]
    return [(r["question"], r["reference_answer"], r["answer"], float(r["correct"])) for r in rows]


def auc(scores: list[float], labels: list[float]) -> float:
    """Probability that a correct answer outscores an incorrect one (ties count half)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def main() -> int:
    """Grade the set and print agreement for the grader and the cosine baseline."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["mohler", "seb"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--every", type=int, default=1, help="grade every Nth answer")
    parser.add_argument("--encoder", choices=ENCODERS, default="int8")
    parser.add_argument(
        "--claim-model",
        choices=["wordllama", "l3", "minilm+wordllama", "minilm+l3", "none"],
        default="none",
        help="a candidate encoder for the calibrated channel (bench/claim_models.py)",
    )
    args = parser.parse_args()
    rows = (mohler if args.kind == "mohler" else seb)(args.folder, max(1, args.every))
    encoder = bench_encoder(args.encoder)
    claim = None if args.claim_model == "none" else claim_models.load(args.claim_model, encoder)
    grader = OfflineGrader(encoder, claim_encoder=claim)
    ours: list[float] = []
    cosine: list[float] = []
    flags: Counter[str] = Counter()
    for question, reference, answer, _ in rows:
        score = grader.grade(ScoreRequest(question=question, answer=answer, key_points=[reference]))
        ours.append(float(score.overall))
        flags.update(str(f) for f in score.flags)
        vecs = encoder.encode([answer or " ", reference])
        cosine.append(float(vecs[0] @ vecs[1]))
    grades = [g for *_, g in rows]
    print(f"{args.kind}: {len(rows)} answers")
    for label, values in (("grader", ours), ("MiniLM cosine", cosine)):
        if args.kind == "seb":
            print(f"{label:<14} AUC {auc(values, grades):.3f}")
        else:
            print(
                f"{label:<14} Pearson {pearson(values, grades):.3f}   "
                f"Spearman {spearman(values, grades):.3f}"
            )
    print("flags:", ", ".join(f"{k} {n}" for k, n in flags.most_common()) or "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
