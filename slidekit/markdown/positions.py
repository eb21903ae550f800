"""Block tokens that remember where they start, so diagnostics can name a line."""

from __future__ import annotations

from mistune import BlockParser
from mistune.core import BlockState


class TrackingState(BlockState):
    """A BlockState whose top-level paragraphs carry `_pos`, the offset where they start."""

    def add_paragraph(self, text):  # noqa: D102 - mistune's hook
        if self.parent is None and not (self.tokens and self.tokens[-1]["type"] == "paragraph"):
            self.tokens.append({"type": "paragraph", "text": text, "_pos": self.cursor})
        else:
            super().add_paragraph(text)


class TrackingBlockParser(BlockParser):
    """Tags every top-level token a block rule adds with the offset where the rule matched."""

    state_cls = TrackingState

    def parse_method(self, m, state):
        before = len(state.tokens)
        result = super().parse_method(m, state)
        if state.parent is None:
            for tok in state.tokens[before:]:
                tok.setdefault("_pos", m.start())
        return result
