"""slidekit: Marp-style Markdown slide decks to HTML and PDF, in Python alone."""

__version__ = "0.1.0"
