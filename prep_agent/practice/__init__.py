"""Practice: one mock-interview session, built by the one composition root.

Public entry points: `factory.build_practice` / `factory.resume_practice` / `factory.PracticeDeps`,
`session.PracticeSession`, `results.TurnResult`, and the app's `services.Services`.
"""
