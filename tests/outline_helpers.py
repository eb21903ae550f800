"""A PDF's outline as a nested list, for the tests that compare bookmarks."""

from __future__ import annotations


def outline_tree(reader, items=None) -> list:
    """[(title, page index, [children])]: pypdf lists an item's children right after it."""
    out: list = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out[-1][2].extend(outline_tree(reader, item))
        else:
            out.append((item.title, reader.get_destination_page_number(item), []))
    return out
