"""The live quiz's JSON API (``/api/v1/live``): join with the code on the screen, poll the
state, answer. No account needed (a token is optional): the seat belongs to the client that
joined, which keeps the ``seat`` secret it was given, as a phone keeps it in its cookie."""

from __future__ import annotations

from flask import abort, request
from marshmallow import fields, validate

from core.api import ApiBlueprint, problems
from core.api.schemas import Schema
from core.extensions import db
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS
from plugins.competitions.live import services as live
from plugins.competitions.live.models import LiveParticipant, LiveSession
from plugins.competitions.live.workflow import LIVE_TABLE
from plugins.competitions.models import Question
from plugins.competitions.services import ContestError

blp = ApiBlueprint("api_live", __name__, url_prefix="/api/v1/live", description="现场有奖问答")
SEAT_HEADER = "X-Live-Seat"
STATES = list(LIVE_TABLE.states)


class JoinSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=30))
    village_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2_000_000_000))
    seat = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "以前加入时拿到的 seat（重新加入同一座位）"},
    )


class SeatSchema(Schema):
    seat = fields.String(required=True, metadata={"description": "之后请求放在 X-Live-Seat 头里"})
    name = fields.String(required=True)
    number = fields.Integer(required=True, metadata={"description": "同名同村时的序号"})


class LiveQuestionSchema(Schema):
    question_id = fields.Integer(required=True)
    stem = fields.String(required=True)
    options = fields.List(fields.String(), required=True)


class StateSchema(Schema):
    title = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    index = fields.Integer(required=True)
    seconds_left = fields.Integer(required=True)
    question = fields.Nested(LiveQuestionSchema, allow_none=True)


class LiveAnswerSchema(Schema):
    question_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2_000_000_000))
    choice = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-J]{1,10}$"),
        metadata={"description": "如 A 或 AC"},
    )


class AnswerResultSchema(Schema):
    first = fields.Boolean(required=True, metadata={"description": "false: 已答过，以第一次为准"})


def _quiz(code: str) -> LiveSession:
    quiz = live.by_code(code[:8])
    if quiz is None:
        abort(404)
    return quiz


def _seat(quiz: LiveSession) -> LiveParticipant:
    token = request.headers.get(SEAT_HEADER, "")[:64]
    seat = (
        db.session.scalar(
            db.select(LiveParticipant).where(
                LiveParticipant.token == token, LiveParticipant.session_id == quiz.id
            )
        )
        if token
        else None
    )
    if seat is None:
        abort(problems.problem(403, "请先加入这场问答。"))
    return seat


@blp.route("/<code>/join", methods=["POST"])
@blp.public
@blp.arguments(JoinSchema)
@blp.response(201, SeatSchema)
def join(body: dict, code: str):
    """Take a seat with my name and village (the same seat again with its ``seat`` secret)."""
    quiz = _quiz(code)
    village = db.session.get(OrgUnit, body["village_id"])
    if village is None or village.kind not in VILLAGE_KINDS:
        return problems.problem(422, errors={"json": {"village_id": ["请选择所在村（社区）。"]}})
    try:
        seat = live.join(quiz, body["name"].strip(), village.id, body.get("seat"))
    except ContestError as error:
        return problems.problem(409, str(error))
    return {"seat": seat.token, "name": seat.name, "number": seat.seat}


@blp.route("/<code>/state")
@blp.public
@blp.response(200, StateSchema)
def state(code: str):
    """What to show now: the state, the countdown and, during a question, its options."""
    quiz = _quiz(code)
    question = None
    if quiz.state == "question" and quiz.current_question_id:
        found = db.session.get(Question, quiz.current_question_id)
        question = {"question_id": found.id, "stem": found.stem, "options": list(found.options)}
    return {
        "title": quiz.title,
        "state": quiz.state,
        "index": quiz.current_index,
        "seconds_left": live.seconds_left(quiz),
        "question": question,
    }


@blp.route("/<code>/answer", methods=["POST"])
@blp.public
@blp.arguments(LiveAnswerSchema)
@blp.response(200, AnswerResultSchema)
@blp.doc(
    parameters=[
        {"in": "header", "name": SEAT_HEADER, "required": True, "schema": {"type": "string"}}
    ]
)
def answer(body: dict, code: str):
    """Answer the current question from my seat; only the first answer counts."""
    quiz = _quiz(code)
    seat = _seat(quiz)
    try:
        first = live.answer(seat, body["question_id"], body["choice"])
    except ContestError as error:
        db.session.rollback()
        return problems.problem(409, str(error))
    return {"first": first}
