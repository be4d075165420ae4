"""Transcripts: sessions, turns and scores in SQLite (WAL, numbered migrations), and exports.

Public entry points: `db.connect`, `store.TranscriptStore`, `records.Session` (with
`numbered_turns()`), `export.session_to_markdown` / `export.session_to_json`.
"""
