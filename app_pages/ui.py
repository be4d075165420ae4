"""Shared bits of the pages: the services handle, progress for ingests, the engine badge."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from app_pages.fmt import escape_md
from prep_agent.practice.services import SERVICES_KEY, Services

if TYPE_CHECKING:  # the store imports chromadb, which the services load in the background
    from prep_agent.knowledge.store import IngestReport, Progress


def services() -> Services:
    """The services app.py built for this session."""
    svc = st.session_state.get(SERVICES_KEY)
    if not isinstance(svc, Services):
        st.error("The app's services are missing: start the app with `streamlit run app.py`.")
        st.stop()
    return svc


def ingest_with_progress(label: str, run: Callable[[Progress], IngestReport]) -> IngestReport:
    """Run an ingest inside st.status with a progress bar of embedded chunks."""
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text="Comparing notes with the store")

        def progress(done: int, total: int) -> None:
            if total:
                bar.progress(min(1.0, done / total), text=f"Embedded {done} of {total} chunks")

        try:
            report = run(progress)
        except Exception:
            status.update(label=f"{label} failed", state="error")
            raise
        bar.progress(1.0, text=f"{report.chunks} chunks in {report.seconds:.1f} s")
        status.update(
            label=f"Notes indexed: {report.topics} topic(s), {report.chunks} chunks "
                  f"({report.embedded} embedded, {report.unchanged} unchanged)",
            state="complete", expanded=False,
        )
    return report


def engine_badge(svc: Services) -> None:
    """Say plainly which engine is running: offline, or which model."""
    icon = ":material/cloud_off:" if svc.offline else ":material/smart_toy:"
    st.caption(f"{icon} Engine: **{escape_md(svc.engine_label)}**")
