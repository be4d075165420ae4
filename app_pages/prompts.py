"""Prompts page: prompt sets with validity, view one, make one active, copy and edit a copy."""

from __future__ import annotations

import streamlit as st

from app_pages.fmt import escape_md
from app_pages.ui import services
from prep_agent.errors import PrepAgentError


def _table(active: str) -> None:
    svc = services()
    rows = [
        {
            "active": info.name == active,
            "name": info.name,
            "valid": info.valid,
            "description": info.description,
            "hash": info.hash or "",
            "error": info.error or "",
        }
        for info in svc.prompt_sets()
    ]
    st.dataframe(rows, hide_index=True, width="stretch", column_config={
        "active": st.column_config.CheckboxColumn(width="small"),
        "name": st.column_config.TextColumn(width="medium"),
        "valid": st.column_config.CheckboxColumn(width="small"),
        "description": st.column_config.TextColumn(width="large", help="Hover a cell for the "
                                                   "whole text."),
        "hash": None,  # shown with the chosen set below
        "error": st.column_config.TextColumn(width="medium"),
    })
    for row in rows:
        if not row["valid"]:
            name, error = escape_md(str(row["name"])), escape_md(str(row["error"]))
            st.error(f"**{name}** is invalid: {error}")


def _view(name: str, active: str) -> None:
    svc = services()
    try:
        text = svc.prompts.read_text(name)
        prompt_set = svc.prompts.load(name)
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    st.markdown(escape_md(prompt_set.description))
    s = prompt_set.settings
    st.caption(f"Role: {escape_md(s.role)} · follow-ups per question: {s.followups_per_question}"
               f" · question types: {', '.join(s.question_types)} · hash `{prompt_set.hash}`")
    if name == active:
        st.success("This is the active prompt set for new interviews.")
    elif st.button(f"Make {name} active", type="primary", key="prompt_activate"):
        try:
            svc.set_active_prompt_set(name)
        except PrepAgentError as exc:
            st.error(str(exc))
        else:
            st.session_state.pop("setup_prompt_set", None)
            st.rerun()
    with st.expander("YAML", expanded=False):
        st.code(text, language="yaml")


def _copy(name: str) -> None:
    svc = services()
    st.subheader("Copy and edit")
    st.caption("The copy is validated (schema, unknown keys, template variables) before it is "
               "saved; the original is never changed.")
    new_name = st.text_input("Name of the copy", value=f"{name}-copy", key=f"copy_name_{name}",
                             help="Lowercase letters, digits, - and _.")
    try:
        original = svc.prompts.read_text(name)
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    # The key keeps the candidate's edits across reruns; the original is only the start.
    text = st.text_area("YAML of the copy", value=original, key=f"copy_yaml_{name}", height=400)
    row = st.container(horizontal=True)
    if row.button("Validate", key="copy_check"):
        try:
            checked = svc.check_prompt_copy(name, new_name, text)
        except PrepAgentError as exc:
            st.error(escape_md(str(exc)))  # YAML errors quote the text, line breaks included
        else:
            st.success(f"Valid: {checked.name} (hash {checked.hash}).")
    if row.button("Save copy", type="primary", key="copy_save"):
        try:
            saved = svc.prompts.save_copy(name, new_name, text)
        except PrepAgentError as exc:
            st.error(escape_md(str(exc)))
        else:
            st.success(f"Saved {saved.name}: pick it above to view it or make it active.")


def _edit_own(name: str) -> bool:
    """Edit or delete one of the user's own copies; True once it was deleted."""
    svc = services()
    st.subheader("Edit your copy")
    try:
        current = svc.prompts.read_text(name)
        opened = svc.prompts.load(name).hash
    except PrepAgentError as exc:
        st.error(str(exc))
        return False
    # The hash of the version this tab opened: a save is refused if the file changed since.
    hash_key = f"edit_hash_{name}"
    st.session_state.setdefault(hash_key, opened)
    text = st.text_area("YAML", value=current, key=f"edit_yaml_{name}", height=400)
    row = st.container(horizontal=True)
    if row.button("Save changes", type="primary", key="edit_save"):
        try:
            saved = svc.prompts.save_edit(name, text, st.session_state[hash_key])
        except PrepAgentError as exc:
            st.error(escape_md(str(exc)))
        else:
            st.session_state[hash_key] = saved.hash
            st.success(f"Saved {saved.name} (hash {saved.hash}).")
    confirm = row.checkbox(f"Yes, delete {name}", key="delete_confirm")
    if row.button("Delete copy", key="delete_copy", disabled=not confirm):
        try:
            kept = svc.prompts.delete(name)
        except PrepAgentError as exc:
            st.error(escape_md(str(exc)))
        else:
            st.session_state.pop(hash_key, None)
            st.success(f"Deleted {name}; the file was kept as {kept.name} in {kept.parent}.")
            return True
    return False


def render() -> None:
    """Draw the page."""
    svc = services()
    st.title("Prompt sets")
    try:
        infos = svc.prompt_sets()
        active = svc.active_prompt_set()
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    if not infos:
        st.warning(f"No prompt sets in {svc.settings.prompts_dir}: add a .yaml file.")
        return
    _table(active)
    names = [info.name for info in infos]
    name = st.selectbox("Prompt set", names, index=names.index(active) if active in names else 0,
                        key="prompt_view")
    if name is None:
        return
    _view(name, active)
    own = {info.name for info in infos if not info.builtin}
    if name in own and _edit_own(name):
        return
    _copy(name)


render()
