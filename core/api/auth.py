"""Tokens and the caller's own account: ``POST /api/v1/auth/token``, ``/api/v1/me``."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_login import current_user
from marshmallow import ValidationError, fields, validate, validates

from core import accounts, orgunits
from core.api import ApiBlueprint, problems, tokens
from core.api.schemas import Schema
from core.extensions import limiter
from core.models import User

blp = ApiBlueprint("api_auth", __name__, url_prefix="/api/v1", description="令牌与本人账号")


def bearer_user() -> User | None:
    """The account of the request's ``Authorization: Bearer`` token; None when none was sent.
    A token that was sent but does not work is a 401 at once."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    user = tokens.user_for(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401)
    return user


class TokenRequestSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=20))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    device = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "设备名，列在“个人资料”页上，可在那里撤销"},
    )

    @validates("phone")
    def _mainland_mobile(self, value: str, **kwargs) -> None:
        """The log-in form's rule: 11 ASCII digits 1[3-9]… after spaces and +86 are dropped."""
        phone = accounts.normalise_phone(value)
        if not (phone.isascii() and accounts.is_valid_phone(phone)):
            raise ValidationError("请输入有效的手机号。")


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "只显示这一次"})


class MeSchema(Schema):
    id = fields.Integer(required=True)
    phone = fields.String(required=True)
    display_name = fields.String(required=True)
    home_unit_id = fields.Integer(allow_none=True)
    roles = fields.List(fields.Dict(), required=True)


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)


def _phone_key() -> str:
    """The per-account limit's key: the normalised phone sent (whether the account exists or not)."""
    body = request.get_json(silent=True)
    phone = body.get("phone") if isinstance(body, dict) else ""
    return "login:" + accounts.normalise_phone(phone if isinstance(phone, str) else "")[:20]


def _refused(response) -> bool:
    return response.status_code != 201


@blp.route("/auth/token", methods=["POST"])
@blp.public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_refused
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_phone_key,
    deduct_when=_refused,
)
@blp.arguments(TokenRequestSchema)
@blp.response(201, IssuedTokenSchema)
@blp.alt_response(401, description="手机号或密码不正确")
@blp.alt_response(429, description="尝试次数过多")
def issue_token(body: dict):
    """Log in with phone and password; returns a bearer token for this device (shown once).

    The same checks and limits as the log-in page: a wrong password counts towards the lockout,
    and the answer is the same whether the number exists or not."""
    user = accounts.authenticate(accounts.normalise_phone(body["phone"]), body["password"])
    if user is None:
        return problems.problem(401, "手机号或密码不正确。")
    token, secret = tokens.issue(user, body["device"])
    token.token = secret  # shown once, never stored
    return token


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """The account the token stands for, with its roles and their org units."""
    user = current_user
    return {
        "id": user.id,
        "phone": user.phone,
        "display_name": user.display_name,
        "home_unit_id": user.home_unit_id,
        "roles": [{"role": a.role, "org_unit_id": a.org_unit_id} for a in user.role_assignments],
    }


@blp.route("/me/tokens")
@blp.response(200, TokenSchema(many=True))
def my_tokens():
    """This account's working tokens, newest first (the same list as on /account)."""
    return tokens.active_tokens(current_user.id)


@blp.route("/me/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_token(token_id: int):
    """Revoke one of this account's tokens (for example a lost phone's); others' are a 404."""
    if not tokens.revoke(current_user.id, token_id):
        abort(404)


@blp.route("/villages")
@blp.public
@blp.response(200, UnitSchema(many=True))
def villages():
    """Active villages and communities (the ``village`` filter; a home village)."""
    return [
        {"id": unit.id, "name": unit.name, "kind": unit.kind.value, "parent_id": unit.parent_id}
        for unit in orgunits.villages()
    ]
