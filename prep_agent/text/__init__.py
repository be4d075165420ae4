"""Shared text toolkit: tokens, sentences, answer signals, inert Markdown, templates, redaction."""
