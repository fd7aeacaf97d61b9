"""Message catalogs: extract each owner's strings, update its .po, compile .po → .mo; and
``translate``, the one "gettext if in a request" helper.

The core (``core/`` and ``templates/``) and every built-in plugin own one catalog each; a string
is extracted from the owner's sources, so a new string without English shows up in the test.
Run ``python -m core.i18n update`` after changing strings, then fill in the empty ``msgstr``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import has_request_context
from flask_babel import gettext

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def translate(text: str) -> str:
    """``text`` in the request's language inside a request, as written (Chinese) outside one:
    CLI jobs, cron notices and stored summaries are kept in the default language."""
    return gettext(text) if has_request_context() else text


def catalog_dirs() -> list[Path]:
    """Every translations/ folder of the core and the built-in plugins."""
    return [PROJECT_ROOT / "translations", *sorted(PROJECT_ROOT.glob("plugins/*/translations"))]


def compile_catalogs(directories: list[Path] | None = None) -> int:
    """Write a fresh .mo beside every .po whose .mo is missing or older; return how many."""
    written = 0
    for directory in directories or catalog_dirs():
        for po_path in Path(directory).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            written += 1
    return written


KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
}
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols"}


def owners() -> dict[Path, list[Path]]:
    """Each catalog folder with the source folders whose strings it owns."""
    found = {PROJECT_ROOT / "translations": [PROJECT_ROOT / "core", PROJECT_ROOT / "templates"]}
    for plugin in sorted(PROJECT_ROOT.glob("plugins/*/translations")):
        found[plugin] = [plugin.parent]
    return found


def extract(sources: list[Path]) -> Iterator[tuple[str, str]]:
    """(message id, "path:line") of every translatable string in ``sources``."""
    method_map = [("**/migrations/**", "ignore"), ("**.py", "python"), ("**.html", "jinja2")]
    for source in sources:
        options = {"**.html": TEMPLATE_OPTIONS}
        for filename, lineno, message, _comments, _context in extract_from_dir(
            source, method_map, options, KEYWORDS
        ):
            for message_id in message if isinstance(message, tuple) else (message,):
                if message_id:
                    yield message_id, f"{source.name}/{filename}:{lineno}"


def read_catalog(po_path: Path) -> Catalog:
    with po_path.open("rb") as po_file:
        return read_po(po_file)


def translated(catalog: Catalog, message_id: str) -> bool:
    message = catalog.get(message_id)
    return bool(
        message
        and message.string
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    )


def update_catalogs(locale: str = "en") -> dict[Path, int]:
    """Add every extracted string missing from each owner's .po; return how many were added.

    A plugin's string the core catalog already translates stays there (one id, one text).
    """
    added = {}
    shared = read_catalog(PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po")
    for folder, sources in owners().items():
        po_path = folder / locale / "LC_MESSAGES" / "messages.po"
        catalog = read_catalog(po_path)
        count = 0
        for message_id, where in extract(sources):
            if message_id not in catalog and not translated(shared, message_id):
                path, line = where.rsplit(":", 1)
                catalog.add(message_id, "", locations=[(path, int(line))])
                count += 1
        if count:
            text = io.BytesIO()
            write_po(text, catalog, width=100)
            po_path.write_bytes(text.getvalue())
        added[po_path] = count
    return added


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        for path, count in update_catalogs().items():
            print(f"{path.relative_to(PROJECT_ROOT)}: {count} new")
    else:
        print(f"compiled {compile_catalogs()} catalog(s)")
