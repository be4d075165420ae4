"""Benchmark the offline grader: Spearman/Pearson vs human grades on the dev set, and latency.

Usage: python bench/scoring.py [--dev PATH] [--holdout PATH] [--runs N]

The holdout file (tests/fixtures/scoring_holdout.jsonl) holds answers on other topics, graded
by hand before the grader was tuned: it checks that changes generalise beyond the dev set.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from prep_agent.config import load_settings
from prep_agent.grading.models import ScoreRequest
from prep_agent.grading.offline import score_offline
from prep_agent.knowledge.embeddings import Encoder, load_encoder

ROOT = Path(__file__).resolve().parent.parent


DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "dev_answers.jsonl"
DEFAULT_HOLDOUT = ROOT / "tests" / "fixtures" / "scoring_holdout.jsonl"

LATENCY_ANSWER = (
    "DGX systems are NVIDIA's flagship AI platforms, and enterprises use them in data centers to "
    "train large models and serve inference, while DGX Spark and DGX Station bring the same stack "
    "to developer desktops. As a technical program manager I would own the integration of the "
    "tools that run on them, so that schedulers, monitoring and the software stack scale together. "
    "I would start by mapping who the users are, what they need from the tooling and where the "
    "gaps are today. Then I would set up a steady feedback channel with developers and triage "
    "what we hear with engineering into a prioritised roadmap. At Microsoft I ran the provisioning "
    "of fifteen thousand servers, a three hundred million dollar program, and the dashboards I "
    "built kept stakeholders aligned on power, cooling and schedule. I would bring the same "
    "discipline here, with clear milestones, weekly risk reviews and shared team dashboards."
)
LATENCY_KEY_POINTS = [
    "DGX systems are NVIDIA's flagship AI platforms for training and inference",
    "A TPM coordinates tool integration and scalability for DGX environments",
    "Align developer feedback with engineering priorities",
]
# The latency benchmarks' request: a 150-word answer against 3 key points (also bench/grading.py).
LATENCY_REQUEST = ScoreRequest(
    question="Why do DGX systems matter to a TPM?",
    answer=LATENCY_ANSWER,
    key_points=LATENCY_KEY_POINTS,
    resume_links=["Microsoft provisioning"],
    avoid=["hardware details such as NVLink"],
)


ENCODERS = ("int8", "shipped")


def bench_encoder(kind: str = "int8") -> Encoder:
    """The grading encoder: the app's int8 copy (made in PREP_AGENT_HOME/models), or the
    shipped weights as they are (what the notes store searches with)."""
    return load_encoder(load_settings().models_dir if kind == "int8" else None)


def fresh_request(i: int, request: ScoreRequest = LATENCY_REQUEST) -> ScoreRequest:
    """The request with run number i written into every answer sentence.

    Each real answer is new text, so nothing the grader caches per answer text may carry
    over from one timed run to the next; the notes (key points, question) stay the same.
    """
    # A made-up word, not a number: a number would bring in the quantity checks.
    tag = "".join(chr(ord("a") + int(d)) for d in str(i))
    answer = re.sub(r"\.(\s|$)", f" (take {tag}).\\1", request.answer)
    return request.model_copy(update={"answer": answer})


def ranks(values: list[float]) -> np.ndarray:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    arr = np.asarray(values, dtype=float)
    order = np.argsort(arr, kind="mergesort")
    out = np.empty(len(arr), dtype=float)
    i = 0
    while i < len(arr):
        j = i
        while j + 1 < len(arr) and arr[order[j + 1]] == arr[order[i]]:
            j += 1
        out[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return out


def pearson(x: list[float] | np.ndarray, y: list[float] | np.ndarray) -> float:
    """Pearson correlation; 0.0 when either side is constant."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    a, b = a - a.mean(), b - b.mean()
    denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denom) if denom else 0.0


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman rank correlation (Pearson of average ranks)."""
    return pearson(ranks(x), ranks(y))


def grade_file(path: Path, encoder: object) -> tuple[float, float]:
    """Print the per-item table and correlations for one graded JSONL file."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    grades: list[float] = []
    scores: list[float] = []
    print(f"{'id':<6}{'grade':>6}{'score':>7}  {'key points':<26}{'flags':<28}answer")
    for row in rows:
        score = score_offline(ScoreRequest.model_validate(row), encoder)  # type: ignore[arg-type]
        grades.append(float(row["grade"]))
        scores.append(float(score.overall))
        ledger = ",".join(f"{r.status[:4]}{r.strength:.2f}" for r in score.key_points)
        extras = ("R" if score.resume else "") + ("A" if score.avoid_hits else "")
        print(
            f"{row.get('id', '?'):<6}{row['grade']:>6}{score.overall:>7}  {ledger:<22}{extras:<4}"
            f"{','.join(score.flags):<28}{row['answer'][:60]}"
        )
    rho, r = spearman(scores, grades), pearson(scores, grades)
    print(f"\nSpearman {rho:.3f}   Pearson {r:.3f}   (n={len(rows)}, {path.name})\n")
    return rho, r


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]


def _timed(runs: int, make: Callable[[int], ScoreRequest]) -> list[float]:
    """Milliseconds per score_offline call over `runs` requests."""
    encoder = bench_encoder()
    times = []
    for i in range(runs):
        req = make(i)
        start = time.perf_counter()
        score_offline(req, encoder)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    """Print the dev-set table, correlations and latency percentiles."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--holdout", type=Path, default=DEFAULT_HOLDOUT)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    encoder = bench_encoder()
    for path in (args.dev, args.holdout):
        if path.is_file():
            grade_file(path, encoder)
        else:
            print(f"(skipped {path}: not found)")

    req = LATENCY_REQUEST
    for _ in range(5):
        score_offline(req, encoder)
    # Warm: the notes' texts (key points, avoid clause, question) are in the encoder's cache, as
    # they are for every answer after the first to a question; the answer is embedded each time.
    warm = _timed(args.runs, fresh_request)
    # Cold: new key points every run, so everything is embedded (the first answer to a question).
    cold = _timed(
        args.runs,
        lambda i: fresh_request(i).model_copy(
            update={"key_points": [f"{k} ({i})" for k in req.key_points]}
        ),
    )
    words = len(LATENCY_ANSWER.split())
    for label, times in (("warm", warm), ("cold", cold)):
        print(
            f"Latency {label} ({words}-word answer, 3 key points, {args.runs} runs): "
            f"p50 {statistics.median(times):.1f} ms   p95 {_p95(times):.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
