"""The Review page's charts: average score per session, and mastery per key point."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import altair as alt
import pandas as pd

from prep_agent.grading.thread import KeyPointLevel
from prep_agent.practice.spoken import PacePoint
from prep_agent.transcripts.records import ProgressPoint

BAR_HEIGHT = 26  # px per key point: room for one line of label text
# Streamlit's default autosize shrinks the height too when long labels need width; fit-x keeps
# the height given here and fits only the width to the page.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
MAX_KEY_POINTS = 20
LABEL_CHARS = 48


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """One line of at most `limit` characters, cut at a word boundary with an ellipsis."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def _when(started_at: str) -> str:
    try:
        return datetime.fromisoformat(started_at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return started_at[:16].replace("T", " ")


def score_chart(progress: Sequence[ProgressPoint]) -> alt.Chart:
    """Average score per session, oldest first; x is the session's place in that order.

    A time axis bunches sessions from one sitting together and labels ticks in milliseconds;
    the session's date and time are in the tooltip instead.
    """
    ordered = sorted(progress, key=lambda p: (p.started_at, p.session_id))
    data = pd.DataFrame({
        "n": list(range(1, len(ordered) + 1)),
        "session": [f"#{p.session_id}" for p in ordered],
        "started": [_when(p.started_at) for p in ordered],
        "prompt set": [p.prompt_set for p in ordered],
        "average score": [round(p.average_score) for p in ordered],
        "answers scored": [p.n_scored for p in ordered],
    })
    n = len(ordered)
    x = alt.X("n:Q", title="session (oldest to newest)",
              scale=alt.Scale(domain=[0.5, n + 0.5], nice=False),
              axis=alt.Axis(tickMinStep=1, format="d", grid=False))
    y = alt.Y("average score:Q", title="average score", scale=alt.Scale(domain=[0, 100]),
              axis=alt.Axis(values=[0, 25, 50, 75, 100]))
    tooltip = ["session", "started", "prompt set", "average score", "answers scored"]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    chart = base.mark_line(point=alt.OverlayMarkDef(size=70, filled=True)) if n > 1 \
        else base.mark_point(size=90, filled=True)
    return chart.properties(height=240, autosize=FIT_WIDTH)


def mastery_chart(
    mastery: Sequence[KeyPointLevel], limit: int = MAX_KEY_POINTS
) -> tuple[alt.LayerChart, int]:
    """Bars of mastery per key point, weakest first (at most `limit`); returns (chart, shown)."""
    weakest = sorted(mastery, key=lambda m: (m.mastery, m.key_point))[:limit]
    labels: list[str] = []
    for m in weakest:
        label = short_label(m.key_point)
        while label in labels:  # two key points that start alike keep separate bars
            label += "\u200b"
        labels.append(label)
    data = pd.DataFrame({
        "label": labels,
        "key point": [m.key_point for m in weakest],
        "topic": [m.topic for m in weakest],
        "mastery": [round(m.mastery * 100) for m in weakest],
        "attempts": [m.attempts for m in weakest],
        "last result": [m.last_status for m in weakest],
    })
    base = alt.Chart(data).encode(
        x=alt.X("mastery:Q", scale=alt.Scale(domain=[0, 100]), title="mastery (0-100)",
                axis=alt.Axis(values=[0, 25, 50, 75, 100])),
        y=alt.Y("label:N", sort=labels, title=None,
                axis=alt.Axis(labelLimit=360, labelFontSize=12)),
        tooltip=["key point", "topic", "mastery", "attempts", "last result"],
    )
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        color=alt.Color("mastery:Q", legend=None,
                        scale=alt.Scale(domain=[0, 50, 100],
                                        range=["#d62728", "#f2b01e", "#76b900"])),
    )
    # The number beside each bar keeps a 0 (no bar at all) readable.
    values = base.mark_text(align="left", dx=4, fontSize=11).encode(text="mastery:Q")
    chart = (bars + values).properties(height=max(BAR_HEIGHT * len(weakest), 80),
                                       autosize=FIT_WIDTH)
    return chart, len(weakest)


def pace_charts(
    points: Sequence[PacePoint], band: tuple[int, int] = (130, 160)
) -> tuple[alt.LayerChart, alt.Chart]:
    """Words per minute per session over the target band; fillers per minute per session."""
    ordered = sorted(points, key=lambda p: (p.started_at, p.session_id))
    data = pd.DataFrame({
        "n": list(range(1, len(ordered) + 1)),
        "session": [f"#{p.session_id}" for p in ordered],
        "started": [_when(p.started_at) for p in ordered],
        "words per minute": [p.words_per_minute for p in ordered],
        "fillers per minute": [p.fillers_per_minute for p in ordered],
        "long pauses": [p.long_pauses for p in ordered],
        "spoken answers": [p.answers for p in ordered],
    })
    n = len(ordered)
    x = alt.X("n:Q", title="session (oldest to newest)",
              scale=alt.Scale(domain=[0.5, n + 0.5], nice=False),
              axis=alt.Axis(tickMinStep=1, format="d", grid=False))
    tooltip = ["session", "started", "words per minute", "fillers per minute", "long pauses",
               "spoken answers"]
    target = alt.Chart(pd.DataFrame({"low": [band[0]], "high": [band[1]]})).mark_rect(
        opacity=0.15, color="#76b900").encode(y="low:Q", y2="high:Q")
    pace = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=70, filled=True)).encode(
        x=x, y=alt.Y("words per minute:Q", scale=alt.Scale(domain=[60, 220])), tooltip=tooltip)
    fillers = alt.Chart(data).mark_bar(width=14, color="#f2b01e").encode(
        x=x, y=alt.Y("fillers per minute:Q"), tooltip=tooltip)
    return ((target + pace).properties(height=200, autosize=FIT_WIDTH),
            fillers.properties(height=120, autosize=FIT_WIDTH))
