"""A second step before an action that cannot simply be taken back (withdraw from a shift,
cancel a registration, revoke a role), without JavaScript.

The one-tap button posts to the action as before; unless the post carries ``confirmed=1`` the
view answers with a confirmation page whose form posts the same fields again with it::

    if not confirm.confirmed():
        return confirm.ask(_("退出这个班次？"), detail, back=url_for(...), button=_("确认退出"))
"""

from __future__ import annotations

from flask import render_template, request


def confirmed() -> bool:
    """True when the person already saw the confirmation page and pressed its button."""
    return request.form.get("confirmed") == "1"


def ask(title: str, detail: str, *, back: str, button: str, danger: bool = True):
    """The confirmation page for the current POST: the same URL and fields, plus confirmed=1."""
    fields = {k: v for k, v in request.form.items() if k not in ("csrf_token", "confirmed")}
    return render_template(
        "confirm.html",
        title=title,
        detail=detail,
        action=request.path,
        fields=fields,
        back=back,
        button=button,
        danger=danger,
    )
