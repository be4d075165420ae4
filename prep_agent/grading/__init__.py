"""Grading: an answer scored against key points (as claims), rubric criteria and resume facts.

Public entry points: `scoring.make_grader` / `scoring.Grader` / `scoring.score_answer`,
`models.ScoreRequest` / `models.Score`, `rubric.Rubric`, `thread.build_ledger` (a question and its
follow-ups as one ledger) and `report.ScoreCard` (the view-model every renderer draws).
"""
