"""Home page, personal dashboard, language switch, health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select, text

from core.extensions import csrf, db
from core.views.auth import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    """The public front page: what is on, filled by plugins through the ``home`` slot."""
    return render_template("home.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    """The signed-in person's page: panels from every plugin for their roles."""
    return render_template("dashboard.html")


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    """Switch the interface language for this browser (and the account, if signed in).

    A visitor posts without a CSRF token: the choice changes nothing but how this browser's
    pages read, and a token in every page's footer would give every visitor a session cookie,
    which keeps pages out of shared caches. Signed in, the account changes too: token checked.
    """
    if current_user.is_authenticated:
        csrf.protect()
    chosen = request.form.get("locale", "")
    if chosen in current_app.config["LANGUAGES"]:
        session["locale"] = chosen
        if current_user.is_authenticated:
            current_user.locale = chosen
            db.session.commit()
    return redirect(
        safe_next(request.form.get("next")) if request.form.get("next") else url_for("main.home")
    )


@bp.route("/healthz")
def healthz():
    """App and database are answering."""
    try:
        db.session.execute(select(text("1")))
    except Exception:  # the probe must answer, not raise
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.route("/healthz/ready")
def ready():
    """Readiness, each part by name: database, Redis, upload folder writable, free disk.

    Only for the monitoring hosts in METRICS_ALLOW (it tells how full the disk is)."""
    from core.health import readiness

    if request.remote_addr not in current_app.config["METRICS_ALLOW"]:
        abort(404)

    body, status = readiness()
    return body, status
