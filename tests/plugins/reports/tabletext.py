"""Read an HTML table by id into rows of cell texts (and the links in each cell)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self.links = table_id, 0, [], []
        self.cell = None
        self.cell_link = None
        self.cells: list[list[tuple[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (self.depth or attrs.get("id") == self.table_id):
            self.depth += 1
        if not self.depth:
            return
        if tag == "tr":
            self.rows.append([])
            self.links.append([])
            self.cells.append([])
        elif tag in ("td", "th"):
            self.cell, self.cell_link = [], None
        elif tag == "a" and self.cell is not None:
            self.links[-1].append(attrs.get("href"))
            self.cell_link = self.cell_link or attrs.get("href")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in ("td", "th") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            self.rows[-1].append(text)
            self.cells[-1].append((text, self.cell_link))
            self.cell = None
        elif tag == "table":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str) -> list[list[str]]:
    parser = _Tables(table_id)
    parser.feed(html)
    assert parser.rows, f"no table #{table_id}"
    return parser.rows


def table_links(html: str, table_id: str) -> list[list[str]]:
    parser = _Tables(table_id)
    parser.feed(html)
    return parser.links


def linked_cells(html: str, table_id: str) -> list[list[tuple[str, str | None]]]:
    """Each row's cells as (text, the cell's first link or None)."""
    parser = _Tables(table_id)
    parser.feed(html)
    return parser.cells
