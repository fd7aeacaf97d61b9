"""Compile message catalogs (.po → .mo) with Babel's own reader and writer."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


if __name__ == "__main__":
    print(f"compiled {compile_catalogs()} catalog(s)")
