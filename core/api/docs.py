"""``/api/v1/docs``: the OpenAPI document rendered by Swagger UI, served from this site."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

bp = Blueprint(
    "api_docs",
    __name__,
    url_prefix="/api/v1",
    static_folder="static",
    static_url_path="/static",
)


@bp.route("/docs")
def docs():
    """The interactive reference (Swagger UI, vendored under core/api/static/swagger-ui)."""
    spec_url = url_for("api-docs.openapi_json")
    return render_template("api/docs.html", spec_url=spec_url)
