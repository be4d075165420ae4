"""Voice: offline speech-to-text, text-to-speech, recording storage and pacing from word timings."""
