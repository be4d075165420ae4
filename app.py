"""Prep Agent web app: `streamlit run app.py` (pages live in app_pages/)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages.ui import engine_badge, ingest_with_progress
from prep_agent.config import Settings, load_settings
from prep_agent.errors import PrepAgentError
from prep_agent.practice.services import SERVICES_KEY, Services, build_services, settle_heap
from prep_agent.text.redact import safe_text

ROOT = Path(__file__).resolve().parent
PAGES = ROOT / "app_pages"


@st.cache_resource(show_spinner="Loading the stores and starting the engine…")
def cached_services(settings: Settings) -> Services:
    """One set of services per settings, shared by every browser session of this server.

    The engine is decided here once; a local LLM server starts here, is shared by every
    session, and stops when the app's process exits.
    """
    return build_services(
        settings,
        uploads_dir=settings.uploads_dir,
        preferences_path=settings.preferences_path,
    )


def _services() -> Services:
    # Tests seed their own services (fake chat model, temp data) into session state.
    seeded = st.session_state.get(SERVICES_KEY)
    if isinstance(seeded, Services):
        return seeded
    services = cached_services(load_settings())
    st.session_state[SERVICES_KEY] = services
    return services


def _first_run_ingest(services: Services) -> None:
    """Embed the notes into the store the first time, with visible progress."""
    # An existing store is not waited for here: the set-up form shows while Chroma opens.
    if services.needs_ingest(wait=False):
        ingest_with_progress("First run: indexing your notes…", services.ingest)


def main() -> None:
    """Build services once, index notes on first run, then route to the chosen page."""
    st.set_page_config(page_title="Prep Agent", page_icon=":material/school:", layout="wide")
    try:
        services = _services()
        _first_run_ingest(services)
    except PrepAgentError as exc:
        st.error(safe_text(str(exc)), icon=":material/error:")
        st.stop()
    pages = [
        st.Page(PAGES / "interview.py", title="Interview", icon=":material/forum:", default=True),
        st.Page(PAGES / "review.py", title="Review", icon=":material/history:"),
        st.Page(PAGES / "prompts.py", title="Prompts", icon=":material/tune:"),
        st.Page(PAGES / "notes.py", title="Notes", icon=":material/menu_book:"),
    ]
    page = st.navigation(pages)
    with st.sidebar:
        engine_badge(services)
        for warning in services.settings.warnings:
            st.warning(warning, icon=":material/key:")
    page.run()
    _load_backend(services)


def _load_backend(services: Services) -> None:
    """Load the embedding model and Chroma once the page is on screen (a fresh server's first
    visitor sees the set-up form meanwhile; later runs find them loaded)."""
    if services.backend_loaded:
        settle_heap()  # a page may have loaded them first
        return
    try:
        services.load_backend()
    except PrepAgentError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    settle_heap()
    if services.needs_ingest():
        st.rerun()  # an empty store: the next run indexes the notes with visible progress


main()
