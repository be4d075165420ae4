"""Spaced re-drill: FSRS cards from the notes, ratings from graded threads, Anki export."""
