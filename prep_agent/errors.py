"""Error hierarchy: every message says what went wrong and how to fix it."""


class PrepAgentError(Exception):
    """Base class for errors a user can act on."""


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


class AudioError(PrepAgentError):
    """A recording is empty, silent, too long or not a readable WAV file."""


class SpeechModelError(PrepAgentError):
    """The speech-to-text or text-to-speech engine is missing or failed."""
