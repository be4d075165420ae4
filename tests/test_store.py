"""Chroma store: incremental ingest, typed search, bad stores, and a real Chroma server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromadb.api.types import Documents, Embeddings
from servers import free_port, stop, wait_until_answers

from prep_agent.config import Settings, load_settings
from prep_agent.errors import StoreError
from prep_agent.knowledge.embeddings import MiniLMEmbedding
from prep_agent.knowledge.library import load_notes
from prep_agent.knowledge.store import KnowledgeStore, ensure_ingested, open_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "dgx-systems.md"
KEY_POINT = ("DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs "
             "and software for training and inference.")


class CountingEmbedding(MiniLMEmbedding):
    """The real embedder, recording every text it is asked to embed."""

    def __init__(self, encoder: Any) -> None:
        super().__init__(encoder)
        self.texts: list[str] = []

    def __call__(self, input: Documents) -> Embeddings:
        self.texts.extend(input)
        return super().__call__(input)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the seeds directory that tests may edit."""
    path = tmp_path / "seeds"
    path.mkdir()
    shutil.copy(SEED, path / SEED.name)
    return path


@pytest.fixture
def settings(data_home: Path) -> Settings:
    return load_settings({"PREP_AGENT_HOME": str(data_home)})


@pytest.fixture
def counting(search_encoder: Any) -> CountingEmbedding:
    return CountingEmbedding(search_encoder)


@pytest.fixture
def store(settings: Settings, counting: CountingEmbedding) -> Iterator[KnowledgeStore]:
    opened = open_store(settings, counting)
    yield opened
    opened.close()


def test_ingest_then_noop_embeds_nothing(store: KnowledgeStore, seeds: Path,
                                         counting: CountingEmbedding) -> None:
    first = ensure_ingested(store, seeds).report
    assert (first.files, first.items, first.chunks, first.added) == (1, 2, 18, 18)
    assert len(counting.texts) == 18 and store.count() == 18
    counting.texts.clear()
    again = ensure_ingested(store, seeds).report
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 18)
    assert counting.texts == []


def test_editing_one_key_point_reembeds_exactly_one_chunk(
    store: KnowledgeStore, seeds: Path, counting: CountingEmbedding
) -> None:
    ensure_ingested(store, seeds)
    counting.texts.clear()
    path = seeds / SEED.name
    path.write_text(path.read_text(encoding="utf-8").replace(
        "combining GPUs and software", "combining GPUs, networking and software"),
        encoding="utf-8")
    report = ensure_ingested(store, seeds).report
    assert counting.texts == [KEY_POINT.replace("GPUs and", "GPUs, networking and")]
    assert (report.updated, report.added, report.removed, report.unchanged) == (1, 0, 0, 17)
    assert store.count() == 18
    texts = {c.text for c in store.all_chunks()}
    assert KEY_POINT not in texts


def test_moved_lines_update_metadata_without_embedding(
    store: KnowledgeStore, seeds: Path, counting: CountingEmbedding
) -> None:
    ensure_ingested(store, seeds)
    counting.texts.clear()
    path = seeds / SEED.name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n\n**Why It Matters**", "\n\n\n\n**Why It Matters**", 1),
                    encoding="utf-8")
    report = ensure_ingested(store, seeds).report
    assert counting.texts == [] and report.relocated == 18 and report.unchanged == 18
    key_point = next(c for c in store.all_chunks() if c.kind == "key_point")
    assert key_point.line == 19


def test_removed_items_are_deleted_and_new_ones_added(store: KnowledgeStore, seeds: Path) -> None:
    ensure_ingested(store, seeds)
    path = seeds / SEED.name
    text = path.read_text(encoding="utf-8")
    start, end = text.index("- [ ] **GTC 2025 Buzz**"), text.index("## Notes")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    (seeds / "extra.md").write_text("# Extra\n\n## Notes\n- **Avoid**: Jargon.\n", encoding="utf-8")
    report = ensure_ingested(store, seeds).report
    assert (report.removed, report.added, report.files) == (5, 1, 2)
    assert {h.item for h in store.search("GTC 2025 Buzz", k=20)} == {"", "DGX Overview"}


def test_unreadable_file_keeps_its_chunks(store: KnowledgeStore, seeds: Path) -> None:
    (seeds / "second.md").write_text("# Second\n\n## Notes\n- **Avoid**: Jargon.\n",
                                     encoding="utf-8")
    ensure_ingested(store, seeds)
    (seeds / "second.md").write_bytes(b"\xff\xfe\x00\x01")
    done = ensure_ingested(store, seeds)
    assert [s for s, _ in done.notes.errors] == ["seeds/second.md"]
    assert done.report.kept == 1 and done.report.removed == 0
    assert store.count() == 19


def test_search_is_typed_and_filtered(store: KnowledgeStore, seeds: Path) -> None:
    ensure_ingested(store, seeds)
    hits = store.search("desktop AI supercomputer for developers", k=3)
    assert "GTC 2025 Buzz" in {h.item for h in hits}
    assert all(0.0 <= h.distance <= 2.0 for h in hits)
    assert hits == sorted(hits, key=lambda h: h.distance)
    only = store.search("what should I not talk about", k=5, kinds=["avoid", "practice"])
    assert {h.kind for h in only} <= {"avoid", "practice"} and len(only) == 2
    assert store.search("DGX", topic="No Such Topic") == []
    in_topic = store.search("DGX", k=2, topic="DGX Systems (AI Supercomputers)", kinds=["goal"])
    assert [h.kind for h in in_topic] == ["goal", "goal"]
    best = store.search("combining GPUs and software for training, from data centers to PCs", k=1)
    assert best[0].text == KEY_POINT and best[0].line == 17
    assert best[0].source == "seeds/dgx-systems.md" and best[0].item == "DGX Overview"


def test_rebuild_embeds_everything_again(store: KnowledgeStore, seeds: Path,
                                         counting: CountingEmbedding) -> None:
    ensure_ingested(store, seeds)
    counting.texts.clear()
    report = ensure_ingested(store, seeds, rebuild=True).report
    assert report.added == 18 and len(counting.texts) == 18 and store.count() == 18


def test_store_reopens_persisted_collection(
    settings: Settings, seeds: Path, search_encoder: Any
) -> None:
    first = open_store(settings, MiniLMEmbedding(search_encoder))
    ensure_ingested(first, seeds)
    first.close()
    again = open_store(settings, MiniLMEmbedding(search_encoder))
    assert again.count() == 18
    assert again.search("AI factory", k=1)[0].kind in {"note", "goal", "why"}
    again.close()


def test_corrupt_store_names_home_and_rebuild(settings: Settings, seeds: Path,
                                              search_encoder: Any) -> None:
    settings.chroma_dir.mkdir(parents=True)
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError) as caught:
        open_store(settings, MiniLMEmbedding(search_encoder))
    message = str(caught.value)
    assert "PREP_AGENT_HOME" in message and "python -m prep_agent ingest --rebuild" in message
    rebuilt = open_store(settings, MiniLMEmbedding(search_encoder), rebuild=True)
    assert ensure_ingested(rebuilt, seeds).report.added == 18
    rebuilt.close()


def test_unreachable_server_names_the_fix(search_encoder: Any) -> None:
    settings = load_settings({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(free_port())})
    with pytest.raises(StoreError, match="chroma run --path DIR --port N"):
        open_store(settings, MiniLMEmbedding(search_encoder))


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    """A real `chroma run` server on loopback, killed afterwards."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip(f"{chroma} is not installed")
    port = free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        failure = wait_until_answers(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, 30)
        if failure:
            log_text = (tmp_path / "chroma.log").read_text()
            pytest.fail(f"chroma run {failure}: {log_text}")
        yield port
    finally:
        stop(proc)
        log.close()


@pytest.mark.server
def test_real_chroma_server(chroma_server: int, seeds: Path, search_encoder: Any) -> None:
    settings = load_settings({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_server)})
    counting = CountingEmbedding(search_encoder)
    store = open_store(settings, counting)
    assert store.location == f"http://127.0.0.1:{chroma_server}"
    assert ensure_ingested(store, seeds).report.added == 18
    counting.texts.clear()
    assert ensure_ingested(store, seeds).report.unchanged == 18 and counting.texts == []
    hits = store.search("desktop AI supercomputer for developers", k=3)
    assert "GTC 2025 Buzz" in {h.item for h in hits}
    # A second client sees the same data: this is how a team shares one store.
    other = open_store(settings, MiniLMEmbedding(search_encoder))
    assert other.count() == 18
    assert {c.kind for c in other.all_chunks()} >= {"key_point", "avoid", "practice"}
    assert len(load_notes(seeds).topics) == 1


def test_unusable_store_path_names_home(settings: Settings, search_encoder: Any) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.chroma_dir.write_text("a file where the store directory should be")
    with pytest.raises(StoreError, match="PREP_AGENT_HOME=.*ingest --rebuild"):
        open_store(settings, MiniLMEmbedding(search_encoder))


def test_filtered_search_matches_with_and_without_overfetch(store: KnowledgeStore,
                                                           seeds: Path) -> None:
    ensure_ingested(store, seeds)
    queries = [("hardware details", ["avoid", "practice"], None),
               ("developer desktops", ["key_point"], "DGX Systems (AI Supercomputers)"),
               ("scheduling", None, "DGX Systems (AI Supercomputers)")]
    for query, kinds, topic in queries:
        store.overfetch = 50  # sees the whole store
        whole = store.search(query, k=3, kinds=kinds, topic=topic)
        store.overfetch = 1  # too few unfiltered neighbours: the filtered query answers
        filtered = store.search(query, k=3, kinds=kinds, topic=topic)
        assert [h.id for h in whole] == [h.id for h in filtered] and whole
        assert all(not kinds or h.kind in kinds for h in whole)
