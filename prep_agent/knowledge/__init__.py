"""Knowledge: study notes parsed into records and embedded in Chroma.

Public entry points (import them from their modules; names have one home):
`source.NotesSource` (seeds + uploads), `library.load_notes`, `models.Topic`/`Item`/`Chunk`,
`store.open_store` / `store.ensure_ingested` / `store.KnowledgeStore`, `embeddings.load_encoder`.
"""
