"""The Review page's spaced re-drill section: forecast, recall per key point, history, Anki."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.charts import short_label
from app_pages.fmt import escape_md
from prep_agent.drill.service import DrillDesk
from prep_agent.drill.views import ForecastDay, RecallRow


def forecast_chart(days: list[ForecastDay]) -> alt.Chart:
    """Due cards per day for the next 14 days (today includes the overdue ones)."""
    frame = pd.DataFrame({"day": [d.day.strftime("%a %d %b") for d in days],
                          "due": [d.due for d in days]})
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("day:N", sort=None, title=None), y=alt.Y("due:Q", title="cards due"),
        tooltip=["day", "due"],
    ).properties(height=180)


def _recall_table(rows: list[RecallRow]) -> None:
    st.dataframe(
        [{"key point": short_label(r.key_point, 90), "topic": short_label(r.topic, 30),
          "mastery": None if r.mastery is None else round(r.mastery * 100),
          "due": r.due, "interval (days)": r.interval_days, "reviews": r.reviews,
          "notes": r.citation} for r in rows],
        hide_index=True, width="stretch",
        column_config={"mastery": st.column_config.ProgressColumn(
            "mastery", min_value=0, max_value=100, format="%d%%",
            help="FSRS recall a week from now: the chance you would still recall this key point "
                 "in 7 days. The summary and the planner use the same number (empty: not "
                 "drilled yet).")},
    )


def drill_section(desk: DrillDesk) -> None:
    """Draw the spaced re-drill section of the Review page."""
    st.subheader("Spaced re-drill")
    tally = desk.counts()
    st.caption(f"{tally.label} · {tally.total} cards from your notes. Each graded thread rates "
               "the cards it covered (FSRS); pick Drill on the Interview page to ask what is due.")
    for problem in desk.problems():
        st.warning(problem, icon=":material/warning:")
    st.markdown("**Due in the next 14 days**")
    st.altair_chart(forecast_chart(desk.forecast()), width="stretch")
    rows = desk.recall()
    st.markdown("**Mastery per key point** · FSRS recall a week from now, weakest first")
    if not rows:
        st.caption("No key points in your notes yet.")
        return
    _recall_table(rows)
    reviewed = [r for r in rows if r.reviews]
    if reviewed:
        by_id = {r.card_id: r for r in reviewed}
        chosen = st.selectbox("Card history", list(by_id), key="review_card",
                              format_func=lambda i: short_label(by_id[i].key_point, 80))
        if chosen is not None:
            st.dataframe(
                [{"reviewed (UTC)": h.reviewed_at.strftime("%Y-%m-%d %H:%M"),
                  "session": h.session_id, "rating": h.rating, "coverage": h.status,
                  "next due": h.due_after} for h in desk.history(chosen)],
                hide_index=True, width="stretch")
    deck = desk.anki()
    if deck.notes:
        st.download_button(
            f"Download Anki deck ({deck.notes} cards)", data=deck.data,
            file_name=deck.file_name, mime="application/octet-stream",
            icon=":material/style:", key="review_download_anki", on_click="ignore",
            help="Front: the question or key point prompt; back: the key point, "
                 "Interview Tip and citation. Same as `prep-agent export-anki`.")
    else:
        st.caption(escape_md("No cards to export yet."))
