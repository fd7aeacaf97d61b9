"""Static files for nginx: ``flask collect-static`` and content-hashed URLs.

``flask collect-static`` copies the core's and every enabled plugin's static files into one
folder (``STATIC_COLLECTED``), each under the URL path it is served at, with the first 12 hex
digits of its SHA-256 in the name (``/calendar/static/calendar.3f2a…9c.css``), and writes
``manifest.json``. With that folder configured, ``url_for`` on any static endpoint gives the
hashed name, so nginx can serve every such file from the folder with a year's cache lifetime
(deploy/nginx/xiangxuetong.conf): a changed file has a new name. Without the folder (development,
tests) nothing changes; the app still answers a hashed name itself, should nginx miss it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

MANIFEST = "manifest.json"
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")


def static_sources(app: Flask) -> dict[str, Path]:
    """``{endpoint: folder}`` for the app's and every blueprint's static files."""
    sources = {"static": Path(app.static_folder)} if app.static_folder else {}
    for name, blueprint in app.blueprints.items():
        if blueprint.static_folder and Path(blueprint.static_folder).is_dir():
            sources[f"{name}.static"] = Path(blueprint.static_folder)
    return sources


def hashed_name(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{path.stem}.{digest}{path.suffix}"


def collect(app: Flask, output: Path) -> dict[str, dict[str, str]]:
    """Copy every static file to ``output`` under its hashed URL path; return the manifest."""
    manifest: dict[str, dict[str, str]] = {}
    adapter = app.url_map.bind("localhost")
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    for endpoint, folder in sorted(static_sources(app).items()):
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(folder)
            hashed = str(relative.with_name(hashed_name(path)))
            url = adapter.build(endpoint, {"filename": hashed}, append_unknown=False)
            target = output / url.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            manifest.setdefault(endpoint, {})[str(relative)] = hashed
    (output / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def load_manifest(app: Flask) -> dict[str, dict[str, str]]:
    folder = app.config.get("STATIC_COLLECTED") or ""
    path = Path(folder) / MANIFEST if folder else None
    if path is None or not path.is_file():
        return {}
    return json.loads(path.read_text())


def init_app(app: Flask) -> None:
    manifest = load_manifest(app)
    originals = {
        endpoint: {hashed: original for original, hashed in names.items()}
        for endpoint, names in manifest.items()
    }
    app.extensions["xxt_static_manifest"] = manifest

    @app.url_defaults
    def hashed_static_names(endpoint, values):
        """``url_for(static endpoint, filename=x)`` gives x's hashed name once collected."""
        names = manifest.get(endpoint)
        if names and values.get("filename") in names:
            values["filename"] = names[values["filename"]]

    @app.url_value_preprocessor
    def original_static_names(endpoint, values):
        """A hashed name reaching the app (nginx bypassed) is served from the original file."""
        if values and endpoint and endpoint.endswith("static") and "filename" in values:
            known = originals.get(endpoint, {})
            values["filename"] = known.get(values["filename"], values["filename"])


@click.command("collect-static")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to fill (default: STATIC_COLLECTED, else instance/static).",
)
@with_appcontext
def collect_static(output: Path | None) -> None:
    """Copy every static file into one folder, with content-hashed names, for nginx."""
    app = current_app._get_current_object()
    target = output or Path(
        app.config.get("STATIC_COLLECTED") or Path(app.instance_path) / "static"
    )
    manifest = collect(app, target)
    count = sum(len(names) for names in manifest.values())
    click.echo(f"{count} files from {len(manifest)} sources collected into {target}")
