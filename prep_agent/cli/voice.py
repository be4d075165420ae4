"""`python -m prep_agent transcribe FILE.wav`, and the transcriber for `interview --voice-file`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from prep_agent.config import Settings
from prep_agent.errors import AudioError

if TYPE_CHECKING:  # the practice modules load only when an interview actually runs
    from prep_agent.practice.results import PracticeQuestion, TurnResult
    from prep_agent.practice.session import PracticeSession

TRANSCRIBERS = ("local", "openai")


def make_transcriber(settings: Settings, choice: str | None = None) -> Any:
    """The transcriber chosen on the command line or by PREP_AGENT_TRANSCRIBER."""
    from prep_agent.llm import build_openai_client
    from prep_agent.voice.transcribe import TranscriberKind, build_transcriber

    kind = TranscriberKind(choice or settings.transcriber)
    client = build_openai_client(settings) if kind is TranscriberKind.OPENAI else None
    return build_transcriber(kind, models_dir=settings.models_dir, client=client)


def voice_files(folder: Path) -> list[Path]:
    """The .wav files of a folder in name order, or an error naming the fix."""
    if not folder.is_dir():
        raise AudioError(f"{folder} is not a folder: pass a folder of .wav answers")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".wav" and p.is_file())
    if not files:
        raise AudioError(f"{folder} holds no .wav files: record one answer per file "
                         "(answer-1.wav, answer-2.wav, ...)")
    return files


def format_pacing(pacing: Any) -> str:
    """One line: pace against the target band, time to first word, long pauses, fillers."""
    low, high = pacing.target_wpm
    parts = [f"Pace: {pacing.wpm:g} wpm ({pacing.band}, target {low}-{high})"
             if pacing.wpm is not None else "Pace: -"]
    if pacing.time_to_first_word_s is not None:
        parts.append(f"first word after {pacing.time_to_first_word_s:.1f} s")
    if pacing.pauses:
        parts.append("long pauses: " + ", ".join(
            f"{p.seconds:.1f} s after “{p.after_word}” at {p.start:.1f} s" for p in pacing.pauses))
    else:
        parts.append("no long pauses")
    fillers = ", ".join(f"{name} ×{n}" for name, n in pacing.fillers)
    parts.append(f"fillers: {fillers}" if fillers else "no fillers")
    return " · ".join(parts)


def cmd_transcribe(args: argparse.Namespace, settings: Settings) -> int:
    """Print a recording's transcript with word timings and pace."""
    from prep_agent.voice.audio import read_wav_file
    from prep_agent.voice.pacing import measure_pacing
    from prep_agent.voice.transcribe import glossary_prompt, transcribe_wav

    data = read_wav_file(Path(args.file).expanduser())
    transcriber = make_transcriber(settings, args.transcriber)
    prompt = glossary_prompt(args.question or "", args.topic or "")
    transcript = transcribe_wav(transcriber, data, prompt=prompt)
    pacing = measure_pacing(transcript.words)
    if args.json:
        out = {"transcript": asdict(transcript), "pacing": asdict(pacing)}
        out["pacing"]["filler_count"] = pacing.filler_count
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
        return 0
    print(f"Transcriber: {transcript.engine} · {transcript.duration_s:.1f} s of audio in "
          f"{transcript.elapsed_s:.2f} s ({transcript.real_time_factor:.2f}x real time)")
    print()
    print(transcript.text)
    print()
    print("Words:")
    for word in transcript.words:
        print(f"  {word.start:7.2f} {word.end:7.2f}  {word.text}")
    print()
    print(format_pacing(pacing))
    return 0


def add_voice_parsers(sub: Any) -> None:
    """Register `transcribe`."""
    p = sub.add_parser("transcribe", help="transcribe a WAV recording offline, with timings")
    p.add_argument("file", metavar="FILE.wav")
    p.add_argument("--transcriber", choices=TRANSCRIBERS,
                   help="local (default) or openai (needs OPENAI_API_KEY); "
                        "default: PREP_AGENT_TRANSCRIBER")
    p.add_argument("--question", metavar="TEXT", help="the question, to spell its terms right")
    p.add_argument("--topic", metavar="TEXT", help="the topic, to spell its terms right")
    p.add_argument("--json", action="store_true", help="print transcript and pacing as JSON")
    p.set_defaults(handler=cmd_transcribe)


class SpokenAnswers:
    """`interview --voice-file`: the folder's recordings answer the questions in name order."""

    def __init__(self, recordings: list[Path], transcriber: Any, home: Path) -> None:
        self.recordings = list(recordings)
        self.transcriber = transcriber
        self.home = home

    def answer(self, practice: PracticeSession, question: PracticeQuestion,
               out: TextIO) -> TurnResult | None:
        """Hear the next good recording and submit it; None when the recordings run out.

        A bad recording is reported and skipped: the same question takes the next one.
        """
        from prep_agent.practice.spoken import hear_answer, submit_spoken
        from prep_agent.voice.audio import read_wav_file

        while self.recordings:
            path = self.recordings.pop(0)
            try:
                heard = hear_answer(self.transcriber, read_wav_file(path), question.result())
            except AudioError as exc:
                print(f"error: {path.name}: {exc}", file=sys.stderr)
                continue
            out.write(f"[{path.name} · {heard.transcript.engine}] {heard.transcript.text}\n")
            return submit_spoken(practice, question.turn_id, self.home, heard)
        return None
