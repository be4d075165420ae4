"""Shared fixtures: every test gets its own data directory and never touches the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PROMPTS = ROOT / "prompts"


SLOW_MARKERS = ("browser", "server", "llama")
HIRING_MANAGER = "hiring-manager"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-server, browser and llama tests are slow too, so the default tier skips them."""
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_MARKERS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def shared_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding the grading model's int8 copy, made once per test run."""
    from prep_agent.knowledge.embeddings import model_files
    from prep_agent.knowledge.int8_model import ensure_copy

    folder = tmp_path_factory.mktemp("models")
    ensure_copy(folder, model_files()[0])
    return folder


@pytest.fixture(autouse=True)
def data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_models: Path
) -> Iterator[Path]:
    """Point PREP_AGENT_HOME at tmp_path and clear LLM settings so tests stay offline."""
    home = tmp_path / "home"
    home.mkdir()
    # The int8 copy is made once per run (seconds), as it is once per install for a user:
    # every test's home sees it as already made.
    (home / "models").mkdir()
    for made in shared_models.iterdir():
        (home / "models" / made.name).symlink_to(made)
    monkeypatch.setenv("PREP_AGENT_HOME", str(home))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PREP_AGENT_ENGINE", "PREP_AGENT_MODEL",
                 "CHROMA_HOST", "CHROMA_PORT", "PREP_AGENT_SEEDS", "PREP_AGENT_PROMPTS",
                 "PREP_AGENT_TRANSCRIBER"):
        monkeypatch.delenv(name, raising=False)
    # auto must not start the built-in local LLM where it is installed (tests/test_local_model.py
    # starts it on purpose).
    monkeypatch.setenv("PREP_AGENT_LOCAL_LLM", "0")
    yield home


@pytest.fixture(scope="session")
def search_encoder():  # type: ignore[no-untyped-def]
    """The shipped MiniLM weights as they are: what the notes store searches with."""
    from prep_agent.knowledge.embeddings import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def encoder(shared_models: Path):  # type: ignore[no-untyped-def]
    """The real offline MiniLM encoder (the int8 copy the app grades with), loaded once per run."""
    from prep_agent.knowledge.embeddings import load_encoder

    return load_encoder(shared_models)


# --- practice fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def topics():  # type: ignore[no-untyped-def]
    """The seed notes' topics, parsed once per test module."""
    from prep_agent.knowledge.library import load_notes

    return load_notes(SEEDS).topics


@pytest.fixture(scope="module")
def prompt_set():  # type: ignore[no-untyped-def]
    """The shipped hiring-manager prompt set, loaded once per test module."""
    from prep_agent.prompt_library import PromptLibrary

    return PromptLibrary(PROMPTS).load(HIRING_MANAGER)


@pytest.fixture
def own_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of prompts/ so copies made by a test never touch the repository."""
    import shutil

    target = tmp_path / "prompts"
    shutil.copytree(PROMPTS, target)
    monkeypatch.setenv("PREP_AGENT_PROMPTS", str(target))
    return target


# --- app fixtures (issue 5: Streamlit pages) -------------------------------------------------


@pytest.fixture
def app_services(data_home: Path, encoder):  # type: ignore[no-untyped-def]
    """Services as app.py builds them, on the temp home, offline, with seeds/ ingested."""
    from prep_agent.config import load_settings
    from prep_agent.practice.services import build_services

    settings = load_settings()
    services = build_services(settings, uploads_dir=data_home / "uploads",
                              preferences_path=data_home / "app_preferences.json",
                              encoder=encoder)
    services.ingest()
    yield services
    services.close()


@pytest.fixture
def app_test(app_services):  # type: ignore[no-untyped-def]
    """A factory of AppTests of app.py with the services seeded into session state."""
    from streamlit.testing.v1 import AppTest

    from prep_agent.practice.services import SERVICES_KEY

    def make(page: str | None = None, **state: object) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[SERVICES_KEY] = app_services
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        if page is not None:
            at.switch_page(f"app_pages/{page}.py").run()
        return at

    return make


# --- voice fixtures (issue 13) -----------------------------------------------------------------

ESPEAK_MISSING = "espeak-ng is not installed: apt-get install espeak-ng"


@pytest.fixture(scope="session")
def speech_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One models folder per test run, so the Whisper parts are joined once, not per test."""
    return tmp_path_factory.mktemp("speech-models")


@pytest.fixture(scope="session")
def whisper(speech_models_dir: Path):  # type: ignore[no-untyped-def]
    """The real local transcriber (Whisper base, int8), loaded once per test run."""
    from prep_agent.voice.transcribe import load_local_transcriber

    return load_local_transcriber(speech_models_dir)


@pytest.fixture(scope="session")
def espeak_wav():  # type: ignore[no-untyped-def]
    """A function making a WAV of text with espeak-ng (skips the test when it is missing)."""
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip(ESPEAK_MISSING)
    from prep_agent.voice.speak import EspeakVoice

    voice = EspeakVoice()
    return voice.synthesize
