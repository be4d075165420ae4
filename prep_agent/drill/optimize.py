"""`drill --optimize`: fit the FSRS parameters to the candidate's own review log.

Uses the `fsrs` package's optimiser extra (`pip install "fsrs[optimizer]==6.3.2"`), which needs
PyTorch; it is not a default dependency because PyTorch is a download of 1-3 GB.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fsrs import ReviewLog

from prep_agent.drill.store import DrillStore

MIN_REVIEWS = 100
EXTRA_HINT = ('the optimiser needs the fsrs extra with PyTorch (a 1-3 GB download): '
              'pip install "fsrs[optimizer]==6.3.2", then run `drill --optimize` again')

OptimizerFactory = Callable[[Sequence[ReviewLog]], Any]


@dataclass(frozen=True)
class OptimizeResult:
    """What `optimize` did: fitted parameters, or why not."""

    fitted: bool
    message: str
    n_reviews: int
    parameters: list[float] | None = None


def fsrs_optimizer() -> OptimizerFactory | None:
    """fsrs's Optimizer class when its extra (torch, pandas, tqdm) is installed, else None."""
    if any(importlib.util.find_spec(m) is None for m in ("torch", "pandas", "tqdm")):
        return None
    from fsrs.optimizer import Optimizer

    return lambda logs: Optimizer(list(logs))


def optimize(store: DrillStore, factory: OptimizerFactory | None = None) -> OptimizeResult:
    """Fit and save parameters when there are at least MIN_REVIEWS reviews; cards rescheduled."""
    logs = store.review_logs()
    n = len(logs)
    if n < MIN_REVIEWS:
        return OptimizeResult(False, f"Only {n} reviews so far: the optimiser needs at least "
                                     f"{MIN_REVIEWS}. Keep drilling; the default FSRS-6 "
                                     "parameters are used meanwhile.", n)
    factory = factory or fsrs_optimizer()
    if factory is None:
        return OptimizeResult(False, f"{n} reviews are enough, but {EXTRA_HINT}.", n)
    parameters = [float(p) for p in factory(logs).compute_optimal_parameters()]
    store.save_parameters(parameters, n)
    return OptimizeResult(True, f"Fitted FSRS parameters to {n} reviews and rescheduled every "
                                "card with them.", n, parameters)
