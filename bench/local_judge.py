"""Does the local model's yes/no judgement improve the offline grader's agreement with humans?

Usage: python bench/local_judge.py [--model 0.5b|1.5b] [--dev PATH] [--holdout PATH]

For every (answer, key point) pair the shipped model reads a strict grader prompt and we take
P(Yes) = sigmoid(logit[Yes] - logit[No]) from the last logits (research/offline-models.md (c)).
Variants combined with the offline score: veto (halve the score when any key point has
P(Yes) < 0.1) and scale (multiply by the mean of the key points' P(Yes) clipped to [0.5, 1]).
Prints Spearman/Pearson of each against the human grades and the seconds per pair. The judge
stays the offline grader unless a variant clearly improves agreement on both files.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from scoring import DEFAULT_DEV, DEFAULT_HOLDOUT, bench_encoder, pearson, spearman  # noqa: E402

from prep_agent.grading.models import ScoreRequest  # noqa: E402
from prep_agent.grading.offline import score_offline  # noqa: E402
from prep_agent.local_model import QWEN_05B, QWEN_15B, ensure_gguf  # noqa: E402

SYSTEM = ("You are a strict grader of interview answers. You decide whether a candidate's answer "
          "conveys a given key point. Paraphrases count as conveying it. If the answer denies, "
          "negates or contradicts the key point, or only lists keywords without making the "
          "claim, it does NOT convey it. Reply with Yes or No only.")
MODELS = {"0.5b": QWEN_05B, "1.5b": QWEN_15B}


class YesNoJudge:
    """P(Yes) from a llama.cpp model, keeping the system prompt in the KV cache."""

    def __init__(self, gguf: Path) -> None:
        from llama_cpp import Llama

        self.llm = Llama(model_path=str(gguf), n_ctx=1024, n_threads=2, n_threads_batch=2,
                         verbose=False)
        self.prefix = self._tok(f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n")
        self.yes = self._tok("Yes")[0]
        self.no = self._tok("No")[0]
        self.llm.reset()
        self.llm.eval(self.prefix)

    def _tok(self, text: str) -> list[int]:
        return list(self.llm.tokenize(text.encode(), add_bos=False, special=True))

    def p_yes(self, key_point: str, answer: str) -> float:
        rest = self._tok(f"Key point: {key_point}\nCandidate answer: {answer[:2000]}\n"
                         "Does the answer convey the key point?<|im_end|>\n"
                         "<|im_start|>assistant\n")
        self.llm.n_tokens = len(self.prefix)
        self.llm.eval(rest)
        logits = np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),))
        diff = float(logits[self.yes] - logits[self.no])
        return 1.0 / (1.0 + math.exp(-diff))


def run(path: Path, judge: YesNoJudge, encoder: object) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    grades, offline, veto, scale = [], [], [], []
    pairs, began = 0, time.monotonic()
    for row in rows:
        score = score_offline(ScoreRequest.model_validate(row), encoder)  # type: ignore[arg-type]
        probs = [judge.p_yes(kp, row["answer"]) for kp in row["key_points"]]
        pairs += len(probs)
        base = float(score.overall)
        grades.append(float(row["grade"]))
        offline.append(base)
        veto.append(base * (0.5 if min(probs) < 0.1 else 1.0))
        scale.append(base * float(np.mean([min(1.0, max(0.5, p)) for p in probs])))
        print(f"{row.get('id', '?'):<6} grade {row['grade']:>4} offline {base:>5.0f}  "
              f"P(Yes) {' '.join(f'{p:.2f}' for p in probs)}")
    per_pair = (time.monotonic() - began) / max(1, pairs)
    print(f"\n{path.name}: n={len(rows)}, {pairs} pairs, {per_pair:.2f} s per pair "
          "(includes the offline grader)")
    for name, values in (("offline", offline), ("offline + veto", veto),
                         ("offline x P(Yes)", scale)):
        print(f"  {name:<18} Spearman {spearman(values, grades):.3f}   "
              f"Pearson {pearson(values, grades):.3f}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="0.5b", choices=sorted(MODELS))
    parser.add_argument("--home", type=Path, default=Path.home() / ".prep_agent")
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--holdout", type=Path, default=DEFAULT_HOLDOUT)
    args = parser.parse_args()
    model = MODELS[args.model]
    began = time.monotonic()
    judge = YesNoJudge(ensure_gguf(args.home / "models", model))
    print(f"{model.description}: loaded in {time.monotonic() - began:.1f} s")
    encoder = bench_encoder()
    for path in (args.dev, args.holdout):
        if path.is_file():
            run(path, judge, encoder)
        else:
            print(f"(skipped {path}: not found)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
