"""Interview: what to ask next, grounded in the notes, and the end-of-session report.

Public entry points: `interviewer.Interviewer` / `interviewer.Question`,
`planner.plan_questions`, `followups.plan_follow_up`, `summary.session_summary`.
"""
