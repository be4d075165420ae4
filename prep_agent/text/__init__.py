"""The shared text toolkit: tokens and sentences, answer signals, inert Markdown, templates, redaction."""
