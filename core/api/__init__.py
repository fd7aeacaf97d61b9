"""The JSON API at ``/api/v1``, built with flask-smorest.

Core makes one ``Api`` per app (kept in ``app.extensions``), registers its own blueprints
(tokens, the caller's account, notifications) and then every enabled plugin's, from the
``register_api`` hook. Only registered blueprints reach the OpenAPI document, so a plugin that
is switched off leaves neither routes nor schemas behind.

Plugins build their endpoints on ``ApiBlueprint``: every view needs a bearer token unless it is
marked ``@blp.public`` (then a token is optional), errors are problem+json, and views call the
same service functions and permission checks as the pages.
"""

from __future__ import annotations

import http

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, abort, g, request
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from core.api import problems
from core.api.schemas import ProblemSchema
from core.extensions import csrf, login_manager

API_VERSION = "v1"
URL_PREFIX = f"/api/{API_VERSION}"
PROBLEM_TYPE = "application/problem+json"
BEARER = {"bearerAuth": []}


class Api(flask_smorest.Api):
    """flask-smorest's Api with problem+json errors, only under ``/api/``."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException):
        if problems.is_api_request():
            return problems.from_exception(error)
        from core.web import error_page

        return error_page(error.code or 500)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "错误 (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class ApiBlueprint(flask_smorest.Blueprint):
    """A blueprint of API endpoints: bearer token required unless the view is ``public``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._public: set[str] = set()
        self.before_request(self._authenticate)

    def public(self, view):
        """Mark a view as open to anonymous callers (a token, if sent, must still be valid)."""
        self._public.add(view.__name__)
        apidoc = getattr(view, "_apidoc", {})
        manual = {**apidoc.get("manual_doc", {}), "security": [{}, BEARER]}
        view._apidoc = {**apidoc, "manual_doc": manual}
        return view

    def _authenticate(self) -> None:
        from core.api import auth

        view = (request.endpoint or "").rpartition(".")[2]
        user = auth.bearer_user()
        if user is None and view not in self._public:
            abort(401)
        login_manager._update_request_context_with_user(user)
        g.api_user = user


def init_app(app: Flask) -> None:
    """Make the app's Api and register core's and every enabled plugin's API blueprints."""
    from core.api import auth, docs, notifications
    from core.plugins import registry

    app.config.update(
        API_TITLE="乡学通 API",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=URL_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": "乡学通的 JSON 接口。指南见 docs/api.md。"},
            "servers": [{"url": "/"}],
            "security": [BEARER],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    api = Api(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin()})
    app.extensions["xxt_api"] = api
    csrf.exempt(f"{api._make_doc_blueprint_name()}")
    blueprints = [auth.blp, notifications.blp]
    for group in registry(app).hook.register_api():
        blueprints.extend(group or [])
    for blueprint in blueprints:
        csrf.exempt(blueprint)  # no cookies on the API: a bearer token cannot be forged cross-site
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)

    @app.before_request
    def limit_api_body() -> None:
        if request.path.startswith(URL_PREFIX):
            request.max_content_length = app.config["API_MAX_BODY_BYTES"]

    @app.after_request
    def private_answers(response):
        """Answers depend on the token: shared caches must neither mix nor keep them."""
        if request.path.startswith(URL_PREFIX) and "Authorization" in request.headers:
            response.vary.add("Authorization")
            response.cache_control.private = True
        return response
