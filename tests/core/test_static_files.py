"""``flask collect-static``: one folder of content-hashed files, and pages that link to them."""

from __future__ import annotations

import json
from pathlib import Path

from core import static_files


def test_collect_static_lays_out_every_file_under_its_hashed_url(make_app, tmp_path):
    collected = tmp_path / "static"
    app = make_app()
    result = app.test_cli_runner().invoke(args=["collect-static", "--output", str(collected)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((collected / "manifest.json").read_text())
    site_css = manifest["static"]["css/site.css"]
    assert site_css.startswith("css/site.") and site_css.endswith(".css")
    source = Path(app.static_folder) / "css" / "site.css"
    assert (collected / "static" / site_css).read_bytes() == source.read_bytes()
    calendar_css = manifest["calendar.static"]["calendar.css"]
    assert (collected / "calendar" / "static" / calendar_css).is_file()
    lecturers_css = manifest["lecturers.static"]["lecturers.css"]
    assert (collected / "lectures" / "static" / "lecturers" / lecturers_css).is_file()
    assert static_files.HASHED.match(Path(calendar_css).name)


def test_pages_link_to_hashed_names_once_collected_and_the_app_still_serves_them(
    make_app, tmp_path
):
    collected = tmp_path / "static"
    make_app().test_cli_runner().invoke(args=["collect-static", "--output", str(collected)])
    app = make_app(STATIC_COLLECTED=str(collected))
    manifest = json.loads((collected / "manifest.json").read_text())
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert f"/static/{manifest['static']['css/site.css']}" in home
    hashed = client.get(f"/calendar/static/{manifest['calendar.static']['calendar.css']}")
    assert hashed.status_code == 200
    assert (
        hashed.data
        == (Path(app.blueprints["calendar"].static_folder) / "calendar.css").read_bytes()
    )


def test_without_a_collected_folder_names_stay_plain(make_app):
    home = make_app().test_client().get("/").get_data(as_text=True)
    assert "/static/css/site.css" in home
