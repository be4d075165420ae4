"""Model answers shown after a question: the notes' key points, or a STAR outline for stories."""

from __future__ import annotations

from prep_agent.interview.interviewer import Question


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def star_outline(question: Question) -> str:
    """A STAR outline for a behavioral question, from its resume facts and key points."""
    labels = ("Situation", "Task", "Action", "Result")
    by_label: dict[str, list[str]] = {}
    other: list[str] = []
    for kp in question.target_key_points:
        head, _, rest = kp.partition(":")
        if head.strip().capitalize() in labels and rest.strip():
            by_label.setdefault(head.strip().capitalize(), []).append(rest.strip())
        elif kp.strip():
            other.append(kp.strip())
    facts = [r.strip() for r in question.resume_links if r.strip()]
    story = question.resume_fact or (facts[0] if facts else "")
    fallback = {
        "Situation": [f"Set the scene: {story}" if story else "Set the scene in one sentence"],
        "Task": ["Say what you owned and the goal you were measured on"],
        "Action": other or ["Say what you did, in the first person"],
        "Result": [f"Give the number: {f}" for f in facts[:1]] or ["Give a measurable result"],
    }
    lines = [f"{label}: {' '.join(_sentence(t) for t in by_label.get(label) or fallback[label])}"
             for label in labels]
    tie = f"Tie it back to {question.subject}." if question.subject else ""
    return "\n".join(lines + ([tie] if tie else []))


def model_answer(question: Question) -> str:
    """A model answer from the notes; a STAR outline from the resume facts for behavioral ones."""
    if question.type == "behavioral":
        return star_outline(question)
    points = [kp.strip() for kp in question.target_key_points if kp.strip()]
    body = " ".join(p if p.endswith((".", "!", "?")) else f"{p}." for p in points)
    tie = next((r.strip() for r in question.resume_links if r.strip()), "")
    return f"{body}\n\nResume tie-in: {tie}" if tie else body
