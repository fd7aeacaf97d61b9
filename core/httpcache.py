"""HTTP caching: validators and Cache-Control for visitors' pages, cheap 304 answers.

A page requested by a visitor (not signed in, no session: no flash message, no form token, no
language choice) is the same for every visitor, so it goes out with ``Cache-Control: public,
max-age=PUBLIC_PAGE_MAX_AGE`` (a shared cache such as nginx may keep it that long), an ETag and
``Vary: Cookie``; a matching ``If-None-Match`` gets 304. Anything else (signed in, a session
cookie) is ``private``. A view that can name the data it shows cheaply (``versioned_page``)
answers a revalidation before rendering anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_login import current_user
from werkzeug.http import parse_date

from core.cache import get_cache

DEFAULT_MAX_AGE = 60


def is_visitor() -> bool:
    """Not signed in and nothing in the session: what is rendered is the same for everyone."""
    return not session and not current_user.is_authenticated


def digest(value: object) -> str:
    """A strong ETag value (without quotes) for a repr-able key."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def conditional_environ() -> dict:
    """The request's environ for ``make_conditional``, without an If-Modified-Since later than
    now: RFC 9110 §13.1.3 says to ignore such a date, werkzeug would answer 304."""
    environ = request.environ
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is not None and since > datetime.now(UTC):
        environ = {k: v for k, v in environ.items() if k != "HTTP_IF_MODIFIED_SINCE"}
    return environ


def not_modified(etag: str, public: bool, max_age: int) -> Response | None:
    """A 304 for a request whose If-None-Match names ``etag``; None otherwise."""
    if not request.if_none_match or not request.if_none_match.contains_weak(etag.strip('"')):
        return None
    response = Response(status=304)
    response.set_etag(etag.strip('"'))
    return cache_headers(response, public, max_age)


def cache_headers(response: Response, public: bool, max_age: int) -> Response:
    response.cache_control.max_age = max_age
    if public:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    return response


def release_id() -> str:
    """Changes when the code or templates change (a deploy), the same in every worker."""
    found = current_app.extensions.get("xxt_release_id")
    if found is None:
        root = Path(current_app.root_path).parent
        stamps = sorted(
            (str(path), path.stat().st_mtime_ns)
            for folder in ("core", "plugins", "templates")
            for path in (root / folder).rglob("*")
            if path.suffix in (".py", ".html", ".mo")
        )
        found = current_app.extensions["xxt_release_id"] = digest(stamps)
    return found


def page_max_age() -> int:
    return int(current_app.config.get("PUBLIC_PAGE_MAX_AGE", DEFAULT_MAX_AGE))


def versioned_page(
    key: Callable[..., object], signed_in: bool = False, keep: bool = False
) -> Callable:
    """For visitors, tag the page with ``key(**view_args)`` (the versions of the data it shows),
    its URL and the release, and answer a matching revalidation with 304 before the view runs.
    ``key`` returns None when it cannot name the data: the page is then tagged by its body.

    With ``signed_in`` the key also names everything the signed-in caller changes in the answer
    (a JSON list without the page's header), so their requests are answered too, privately.
    The tag is in ``g.versioned_etag`` while the view runs. With ``keep`` the 200 body is kept
    in the shared cache under its tag and sent again without running the view: only for bodies
    with nothing of the request in them (JSON; not HTML pages, which carry a CSP nonce)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(*args, **kwargs)
            visitor = is_visitor()
            if not (visitor or signed_in):
                return view(*args, **kwargs)
            data = key(**kwargs)
            if data is None:  # the view cannot name its data cheaply this time
                return view(*args, **kwargs)
            etag = digest((release_id(), request.full_path, data))
            early = not_modified(etag, visitor, page_max_age())
            if early is not None:
                return early
            g.versioned_etag = etag
            kept = get_cache("httpcache").get(f"body:{etag}") if keep else None
            if kept is not None:
                response = Response(kept[0], mimetype=kept[1])
                response.set_etag(etag)
                return response
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200 and (signed_in or is_visitor()):
                response.set_etag(etag)
                if keep and not response.is_streamed:
                    body = (response.get_data(), response.mimetype)
                    get_cache("httpcache").set(f"body:{etag}", body)
            return response

        return wrapper

    return decorate


def finish_page(response: Response) -> Response:
    """After every request: public caching and validators for visitors' HTML pages."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.mimetype != "text/html"
        or "Cache-Control" in response.headers
    ):
        return response
    if not is_visitor():
        response.cache_control.private = True
        return response
    if "Set-Cookie" in response.headers:  # made a session after all: keep it private
        response.cache_control.private = True
        return response
    cache_headers(response, True, page_max_age())
    response.vary.add("Cookie")
    if not response.get_etag()[0]:
        response.add_etag()
    return response.make_conditional(conditional_environ())


def init_app(app: Flask) -> None:
    app.config.setdefault("PUBLIC_PAGE_MAX_AGE", DEFAULT_MAX_AGE)
    app.after_request(finish_page)
