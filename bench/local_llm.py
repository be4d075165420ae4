"""Benchmark the built-in local LLM: cold and warm first question, tokens/s, question quality.

Usage: python bench/local_llm.py [--models 0.5b,1.5b] [--questions 5] [--prompt-set NAME]

For each shipped model: join the GGUF once (timed separately), start the llama.cpp server
(cold), ask the first question of a session through the real Interviewer + llm.py path over
seeds/dgx-systems.md with the Chroma grounding the app uses, ask the rest of the session, then
the first question of a new session on the running server (warm). Each question is checked:
the LLM wrote it (no fallback), it names the subject, it is one question, and it does not leak
the key point. Targets: cold <= 10 s, warm <= 4 s. The load average is printed because other
work on a shared machine slows every figure down.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from prep_agent.config import load_settings  # noqa: E402
from prep_agent.engine import LOCAL_MAX_TOKENS  # noqa: E402
from prep_agent.interview.interviewer import Interviewer, Question  # noqa: E402
from prep_agent.interview.leaks import words  # noqa: E402
from prep_agent.knowledge.embeddings import MiniLMEmbedding, load_encoder  # noqa: E402
from prep_agent.knowledge.parser import parse_notes  # noqa: E402
from prep_agent.knowledge.store import ensure_ingested, open_store  # noqa: E402
from prep_agent.llm import build_chat_model  # noqa: E402
from prep_agent.local_model import (  # noqa: E402
    QWEN_05B,
    QWEN_15B,
    LocalServer,
    ShippedModel,
    ensure_gguf,
    missing_reason,
)
from prep_agent.prompt_library import PromptLibrary  # noqa: E402

MODELS = {"0.5b": QWEN_05B, "1.5b": QWEN_15B}
COLD_TARGET_S, WARM_TARGET_S = 10.0, 4.0


def _timed_question(interviewer: Interviewer, planned, asked: list[str]):  # type: ignore[no-untyped-def]
    began = time.monotonic()
    stream = interviewer.stream(planned, asked)
    first = None
    chunks = 0
    for _ in stream:
        chunks += 1
        if first is None:
            first = time.monotonic() - began
    question = stream.result()
    return question, time.monotonic() - began, first or 0.0, chunks


def _checks(question: Question, draft: str) -> list[str]:
    """The oracle of tests/test_local_model.py: LLM-written, names the subject, a question (or
    a drill instruction), no run of five key-point words the offline draft did not say."""
    problems = []
    if question.engine != "llm":
        problems.append(f"fallback: {question.engine_note}")
    subject_words = set(words(question.subject))
    if not subject_words & set(words(question.text)):
        problems.append("subject not named")
    marks = question.text.count("?")
    if question.type != "drill" and not 1 <= marks <= 2:
        problems.append(f"{marks} question marks")
    said, given = " ".join(words(question.text)), " ".join(words(draft))
    for point in question.target_key_points:
        kp = words(point)
        runs = (" ".join(kp[i:i + 5]) for i in range(len(kp) - 4))
        if any(run in said and run not in given for run in runs):
            problems.append("copies the key point")
    return problems


Row = tuple[Question, float, float, int, bool | None]  # None: not sent to the LLM


def _session(interviewer: Interviewer, n: int, label: str) -> list[Row]:
    asked: list[str] = []
    rows = []
    for planned in interviewer.plan(n):
        question, total, first, chunks = _timed_question(interviewer, planned, asked)
        asked.append(question.text)
        by_design = question.engine == "offline" and question.engine_note is None
        issues = [] if by_design else _checks(question, planned.offline_text)
        rows.append((question, total, first, chunks, None if by_design else not issues))
        verdict = "offline wording (drill)" if by_design else "; ".join(issues) or "OK"
        print(f"  [{label}] {total:5.2f} s (first chunk {first:4.2f} s, {chunks} chunks) "
              f"{planned.type:<10} {verdict}")
        print(f"      {question.text}")
    return rows


def bench_model(key: str, model: ShippedModel, home: Path, n: int, prompt_set_name: str,
                store, threads: int, compact: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    print(f"\n== {key}: {model.description} ({model.package}1..{model.parts}=={model.version})")
    began = time.monotonic()
    gguf = ensure_gguf(home / "models", model)
    print(f"join + sha256 check (first use only, then reused): {time.monotonic() - began:.2f} s")
    topics = parse_notes((ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8"),
                         "seeds/dgx-systems.md")
    prompt_set = PromptLibrary(ROOT / "prompts").load(prompt_set_name)
    server = LocalServer(gguf, model.alias, log_path=home / "models" / f"{key}.log",
                         threads=threads)
    cold_began = time.monotonic()
    with server:
        start_s = time.monotonic() - cold_began
        settings = load_settings({"PREP_AGENT_HOME": str(home)}).with_(
            engine="llm", openai_base_url=server.base_url, model=model.alias,
            llm_timeout_s=300.0, llm_deadline_s=300.0, llm_max_retries=0)
        chat = build_chat_model(settings, max_tokens=LOCAL_MAX_TOKENS)
        interviewer = Interviewer(topics, store, prompt_set, chat_model=chat, seed=1,
                                  compact=compact)
        rows = _session(interviewer, n, "session 1")
        # Drills keep their offline wording (no model call), so they are left out of timings.
        rows = [r for r in rows if r[4] is not None] or rows
        cold_s = start_s + rows[0][1]
        warm_interviewer = Interviewer(topics, store, prompt_set, chat_model=chat, seed=2,
                                       compact=compact)
        warm_rows = _session(warm_interviewer, n, "session 2")
    warm_rows = [r for r in warm_rows if r[4] is not None] or warm_rows
    all_rows = rows + warm_rows
    gen_rates = [(c - 1) / (t - f) for _, t, f, c, _ in all_rows if c > 1 and t > f]
    ok = sum(1 for *_, passed in all_rows if passed)
    sent = sum(1 for *_, passed in all_rows if passed is not None)
    result = {
        "server_start_s": start_s, "cold_s": cold_s, "warm_first_s": warm_rows[0][1],
        "warm_median_s": statistics.median(r[1] for r in rows[1:] + warm_rows),
        "first_chunk_median_s": statistics.median(r[2] for r in all_rows),
        "gen_tokens_per_s": statistics.median(gen_rates) if gen_rates else 0.0,
        "ok": ok, "asked": sent,
    }
    print(f"server start {start_s:.2f} s; cold (start + first question) {cold_s:.2f} s "
          f"(target <= {COLD_TARGET_S:.0f}); warm first question {result['warm_first_s']:.2f} s "
          f"(target <= {WARM_TARGET_S:.0f}); warm median {result['warm_median_s']:.2f} s; "
          f"first chunk median {result['first_chunk_median_s']:.2f} s; generation "
          f"{result['gen_tokens_per_s']:.1f} tokens/s; {ok}/{sent} questions sent to the model "
          "pass every check")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="0.5b,1.5b")
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--prompt-set", default="hiring-manager")
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads (1)")
    parser.add_argument("--full-prompts", action="store_true",
                        help="the prompt set's full prompts instead of the compact ones")
    parser.add_argument("--home", type=Path, default=None,
                        help="data directory for the joined models (default PREP_AGENT_HOME)")
    args = parser.parse_args()
    home = args.home or Path(os.environ.get("PREP_AGENT_HOME") or Path.home() / ".prep_agent")
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores); "
          f"{args.threads} llama.cpp thread(s); "
          f"{'full' if args.full_prompts else 'compact'} prompts; home {home}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"PREP_AGENT_HOME": tmp})
        store = open_store(settings, MiniLMEmbedding(load_encoder()))
        ensure_ingested(store, ROOT / "seeds")
        results = {}
        for key in args.models.split(","):
            model = MODELS[key.strip()]
            reason = missing_reason(model)
            if reason:
                print(f"\n== {key}: skipped: {reason}")
                continue
            results[key] = bench_model(key, model, home, args.questions, args.prompt_set, store,
                                       args.threads, not args.full_prompts)
        store.close()
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print("model | server start | cold (start + Q1) | warm Q1 | warm median | gen tok/s | "
          "LLM questions passing checks")
    for key, r in results.items():
        print(f"{key} | {r['server_start_s']:.2f} s | {r['cold_s']:.2f} s | "
              f"{r['warm_first_s']:.2f} s | {r['warm_median_s']:.2f} s | "
              f"{r['gen_tokens_per_s']:.1f} | {r['ok']:.0f}/{r['asked']:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
