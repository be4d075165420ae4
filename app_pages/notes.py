"""Notes page: browse the parsed notes, search them, re-ingest, upload a notes file."""

from __future__ import annotations

from typing import get_args

import streamlit as st

from app_pages.fmt import cite_md, escape_md
from app_pages.ui import ingest_with_progress, services
from prep_agent.errors import PrepAgentError
from prep_agent.knowledge.models import ChunkKind, Item, Topic
from prep_agent.knowledge.uploads import MAX_UPLOAD_BYTES

CHUNK_KINDS: tuple[str, ...] = get_args(ChunkKind)
ITEM_FIELDS = (
    ("goal", "Goal"), ("key_point", "Key Point"), ("interview_tip", "Interview Tip"),
    ("resume_link", "Resume Link"),
)
HEADER_FIELDS = (
    ("why_it_matters", "Why it matters"), ("depth", "Depth"), ("time", "Time"),
    ("resume_tie_in", "Resume tie-in"),
)


def _item(item: Item, source: str) -> None:
    duration = f" ({escape_md(item.duration)})" if item.duration else ""
    tick = ":material/check_box:" if item.done else ":material/check_box_outline_blank:"
    st.markdown(f"{tick} **{escape_md(item.title)}**{duration} · {cite_md(source, item.line)}")
    if item.url:
        st.caption(escape_md(item.url))
    for name, label in ITEM_FIELDS:
        value = getattr(item, name)
        if value:
            st.markdown(f"**{label}:** {escape_md(value)}")
    for extra in item.extra:
        st.markdown(f"**{escape_md(extra.label)}:** {escape_md(extra.text)}")


def _topic(topic: Topic) -> None:
    for name, label in HEADER_FIELDS:
        value = getattr(topic, name)
        if value:
            st.markdown(f"**{label}:** {escape_md(value)}")
    for item in topic.items:
        with st.container(border=True):
            _item(item, topic.source)
    if topic.notes:
        st.markdown("**Notes**")
        for note in topic.notes:
            badge = {"avoid": ":red-badge[avoid]", "practice": ":blue-badge[practice]"}.get(
                note.kind, ":gray-badge[note]")
            st.markdown(f"{badge} **{escape_md(note.label)}:** {escape_md(note.text)} "
                        f"{cite_md(topic.source, note.line)}")
    for plain in topic.plain:
        st.markdown(escape_md(plain.text))


def _kind_badge(kind: str) -> str:
    """A badge for a known chunk kind; anything else in the metadata is shown as plain text."""
    if kind in CHUNK_KINDS:
        return f":gray-badge[{kind}]"
    return f":gray-badge[other] {escape_md(kind)}"


def _search() -> None:
    svc = services()
    query = st.text_input("Search your notes", placeholder="e.g. how does DGX scale AI?",
                          max_chars=500)
    if not query.strip():
        return
    try:
        hits = svc.search(query, k=8)
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    if not hits:
        st.info("Nothing found: ingest your notes first (button below).")
    for hit in hits:
        where = f"{hit.topic} › {hit.item}" if hit.item else hit.topic
        st.markdown(f"{_kind_badge(hit.kind)} **{escape_md(where)}** · "
                    f"{cite_md(hit.source, hit.line)} · similarity {1 - hit.distance:.2f}  \n"
                    f"{escape_md(hit.text)}")


def _upload() -> None:
    svc = services()
    st.subheader("Add a notes file")
    st.caption(f"Markdown in the seed's style, up to {MAX_UPLOAD_BYTES // 1024} KB. It is "
               "checked before anything is saved.")
    file = st.file_uploader("Notes file (.md)", type=["md", "markdown"], max_upload_size=1,
                            key="notes_upload")
    if file is None:
        return
    try:
        checked = svc.check_upload(file.name, file.getvalue())
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    n_items = sum(len(t.items) for t in checked.topics)
    st.success(f"{checked.name}: {len(checked.topics)} topic(s), {n_items} checklist item(s) "
               "look valid.")
    for warning in checked.warnings:
        st.warning(escape_md(warning))
    replace = st.checkbox("Replace an earlier upload with this name", key="notes_replace")
    if st.button("Save and ingest", type="primary", key="notes_save"):
        try:
            report = ingest_with_progress(
                f"Adding {checked.name}…",
                lambda progress: svc.add_upload(checked, replace=replace, progress=progress),
            )
        except PrepAgentError as exc:
            st.error(str(exc))
            return
        st.success(f"Saved {checked.name} and embedded {report.embedded} new chunk(s).")


def render() -> None:
    """Draw the page."""
    svc = services()
    st.title("Notes")
    try:
        notes = svc.notes()
        stored = svc.store.count()
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    cols = st.columns(4)
    cols[0].metric("Files", len(notes.files))
    cols[1].metric("Topics", len(notes.topics))
    cols[2].metric("Checklist items", sum(len(t.items) for t in notes.topics))
    cols[3].metric("Chunks in the store", stored)
    for source, message in notes.errors:
        st.error(f"{escape_md(source)}: {escape_md(message)}")
    for warning in notes.warnings:
        st.warning(escape_md(warning))

    _search()

    left, right = st.columns([1, 3])
    rebuild = left.checkbox("Rebuild from scratch", help="Drop every stored chunk and embed all "
                            "notes again; only needed if the store looks wrong.")
    if right.button("Re-ingest notes", key="notes_reingest"):
        try:
            report = ingest_with_progress(
                "Re-ingesting your notes…",
                lambda progress: svc.ingest(progress=progress, rebuild=rebuild),
            )
            st.success(f"Done: {report.embedded} chunk(s) embedded, {report.unchanged} unchanged, "
                       f"{report.removed} removed.")
        except PrepAgentError as exc:
            st.error(str(exc))

    st.subheader("Browse")
    for topic in notes.topics:
        with st.expander(f"{escape_md(topic.title)} — {len(topic.items)} item(s) · "
                         f"{escape_md(topic.source)}", expanded=len(notes.topics) == 1):
            _topic(topic)

    _upload()


render()
