"""Benchmark the offline grader: Spearman/Pearson vs human grades on the dev set, and latency.

Usage: python bench/scoring.py [--dev PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prep_agent.embeddings import load_encoder  # noqa: E402
from prep_agent.scoring import ScoreRequest, score_offline  # noqa: E402

DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "dev_answers.jsonl"

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


def main() -> int:
    """Print the dev-set table, correlations and latency percentiles."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    encoder = load_encoder()
    rows = [json.loads(line) for line in args.dev.read_text().splitlines() if line.strip()]
    grades: list[float] = []
    scores: list[float] = []
    print(f"{'id':<6}{'grade':>6}{'score':>7}  {'key points':<26}{'flags':<28}answer")
    for row in rows:
        score = score_offline(ScoreRequest.model_validate(row), encoder)
        grades.append(float(row["grade"]))
        scores.append(float(score.overall))
        ledger = ",".join(f"{r.status[:4]}{r.strength:.2f}" for r in score.key_points)
        extras = ("R" if score.resume else "") + ("A" if score.avoid_hits else "")
        print(
            f"{row.get('id', '?'):<6}{row['grade']:>6}{score.overall:>7}  {ledger:<22}{extras:<4}"
            f"{','.join(score.flags):<28}{row['answer'][:60]}"
        )
    print(
        f"\nSpearman {spearman(scores, grades):.3f}   Pearson {pearson(scores, grades):.3f}   "
        f"(n={len(rows)}, {args.dev.name})"
    )

    req = ScoreRequest(
        question="Why do DGX systems matter to a TPM?",
        answer=LATENCY_ANSWER,
        key_points=LATENCY_KEY_POINTS,
        resume_links=["Microsoft provisioning"],
        avoid=["hardware details such as NVLink"],
    )
    for _ in range(5):
        score_offline(req, encoder)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        score_offline(req, encoder)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(
        f"Latency ({len(LATENCY_ANSWER.split())}-word answer, 3 key points, {args.runs} runs): "
        f"p50 {statistics.median(times):.1f} ms   p95 {p95:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
