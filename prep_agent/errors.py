"""Error hierarchy: every message says what went wrong and how to fix it."""

from prep_agent.text.redact import safe_text


class PrepAgentError(Exception):
    """Base class for errors a user can act on; its message never carries a key or escapes."""

    def __init__(self, *args: object) -> None:
        # Messages quote library errors, URLs and user text: scrub them once, here.
        super().__init__(*(safe_text(a) if isinstance(a, str) else a for a in args))


class NotesError(PrepAgentError):
    """A notes file or seeds directory cannot be used."""


class EmbeddingModelError(PrepAgentError):
    """The offline embedding model is missing or broken."""


class StoreError(PrepAgentError):
    """The Chroma store cannot be opened or written."""


class PromptError(PrepAgentError):
    """A prompt set is missing, invalid or outside prompts/."""


class LLMError(PrepAgentError):
    """The configured LLM failed or is misconfigured."""


class ScoringError(PrepAgentError):
    """An answer or grading input cannot be scored."""


class TranscriptError(PrepAgentError):
    """The transcripts database cannot be read or written."""


class ConfigError(PrepAgentError):
    """An environment setting has an invalid value."""


class LocalModelError(LLMError):
    """The built-in local LLM (llama.cpp and its shipped model) is missing or failed to start."""


class AudioError(PrepAgentError):
    """A recording is empty, silent, too long or not a readable WAV file."""


class SpeechModelError(PrepAgentError):
    """The speech-to-text or text-to-speech engine is missing or failed."""
class StaleAnswerError(TranscriptError):
    """An answer for a question that no longer waits for one (another tab, a skip, the end).

    Nothing was written; `answer` keeps the text so the page can offer it for copying.
    """

    def __init__(self, message: str, answer: str, turn_id: int) -> None:
        super().__init__(message)
        self.answer = answer
        self.turn_id = turn_id
