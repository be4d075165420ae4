"""The Streamlit adapter of grading.report.ScoreCard, and the revealed notes.

Shared by the Interview and Review pages; it only chooses badges and layout.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from app_pages.fmt import cite_md, escape_md, highlight
from prep_agent.grading.report import CardLine, ScoreCard, SectionKind
from prep_agent.interview.interviewer import Citation

STATUS_BADGE = {
    "covered": ":green-badge[:material/check: covered]",
    "partial": ":orange-badge[:material/contrast: partial]",
    "missing": ":red-badge[:material/close: missing]",
    "contradicted": ":violet-badge[:material/warning: contradicted]",
}
SECTION_BADGE = {
    SectionKind.resume: ":blue-badge[:material/work: tie-in]",
    SectionKind.avoid: ":red-badge[:material/block: avoid]",
    SectionKind.spoken: ":gray-badge[:material/mic: spoken]",
}


def _quotes_md(quotes: Sequence[str]) -> str:
    return " · ".join(f"“{escape_md(q)}”" for q in quotes if q.strip())


def _delivery(card: ScoreCard) -> str:
    return " · ".join(f"{escape_md(k)}: {escape_md(v)}" for k, v in card.delivery)


def _line(kind: SectionKind, line: CardLine) -> str:
    if line.status is not None:  # key points and criteria: a status badge, then the quotes
        badge = STATUS_BADGE.get(line.status, escape_md(line.status))
        text = f"{badge} {escape_md(line.text)}"
        quotes = _quotes_md(line.quotes)
        return f"{text}  \n:material/format_quote: {quotes}" if quotes else text
    if kind == SectionKind.flags:
        return f":orange-badge[{escape_md(line.code or '')}] {escape_md(line.text)}"
    if kind == SectionKind.next_time:
        return f"- {escape_md(line.text)}"
    text = f"{SECTION_BADGE.get(kind, '')} {escape_md(line.text)}"
    return f"{text} — {_quotes_md(line.quotes)}" if line.quotes else text


def score_card(card: ScoreCard, answer: str) -> None:
    """The grade of one answer: overall, the key-point ledger with evidence, tie-ins, flags."""
    with st.container(border=True, key=None):
        left, right = st.columns([1, 3])
        left.metric("Score", f"{card.overall}/100" if card.overall is not None else "—")
        right.caption(escape_md(card.grader))
        if card.llm_error:
            right.warning(f"The LLM judge failed ({escape_md(card.llm_error)}); "
                          "this is the offline grade.")
        if card.rationale:
            right.markdown(escape_md(card.rationale))
        st.markdown("**Your answer, evidence highlighted**")
        st.markdown(highlight(answer, card.quotes) or "*(empty)*")
        if card.truncated:
            st.caption("Only the first part of a very long answer was graded.")
        for section in card.sections:
            lines = [_line(section.kind, line) for line in section.lines]
            if section.kind in (SectionKind.key_points, SectionKind.criteria):
                st.markdown(f"**{section.title}**")
                for line in lines:
                    st.markdown(line)
            else:
                st.markdown(f"**{section.title}**  \n" + "  \n".join(lines))
        if card.thread_coverage:
            st.markdown(f"**Thread coverage** · {escape_md(card.thread_coverage)}")
        if card.delivery:
            st.markdown(f"**Delivery** · {_delivery(card)}")


def revealed_notes(citations: Sequence[Citation], model_answer: str | None = None,
                   expanded: bool = True) -> None:
    """The notes the question came from, with citations, and a model answer built from them."""
    with st.expander("From your notes, and a model answer", expanded=expanded,
                     icon=":material/menu_book:"):
        for cite in citations:
            kind = cite.kind.replace("_", " ")
            st.markdown(f":gray-badge[{escape_md(kind)}] {escape_md(cite.text)}  \n"
                        f"{cite_md(cite.source, cite.line)}")
        if model_answer:
            st.markdown("**Model answer (from your notes)**")
            st.markdown(escape_md(model_answer))
