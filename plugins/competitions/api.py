"""The contests' JSON API (``/api/v1/contests``): list, start, the drawn sheet (never the key),
save, hand in and the review, through the same ``services``, ``sheets`` and ``ranking`` as the
pages. The live quiz is in ``api_live.py``."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import select

from core.api import ApiBlueprint, problems
from core.api.schemas import PageArgs, Schema, page_of, paginate_query
from core.extensions import db
from core.timeutil import utcnow
from plugins.competitions import ranking, services, sheets
from plugins.competitions.models import Attempt, Contest
from plugins.competitions.services import AttemptFinished, ContestError

blp = ApiBlueprint("api_contests", __name__, url_prefix="/api/v1/contests", description="知识竞赛")
PHASES = ["open", "upcoming", "closed"]


class ContestSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    org_unit_id = fields.Integer(required=True)
    opens_at = fields.DateTime(required=True)
    closes_at = fields.DateTime(required=True)
    phase = fields.String(required=True, validate=validate.OneOf(PHASES))
    time_limit_minutes = fields.Integer(required=True)
    attempts_allowed = fields.Integer(required=True)


class AttemptSchema(Schema):
    id = fields.Integer(required=True)
    contest_id = fields.Integer(required=True)
    attempt_no = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    deadline = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    score = fields.Float(allow_none=True, metadata={"description": "交卷后才有"})
    max_score = fields.Float(allow_none=True)
    answered = fields.Integer(required=True)


class ContestDetailSchema(ContestSchema):
    eligible = fields.Boolean(required=True)
    running = fields.Nested(AttemptSchema, allow_none=True)
    finished = fields.List(fields.Nested(AttemptSchema), required=True)


class OptionSchema(Schema):
    position = fields.Integer(required=True, metadata={"description": "提交答案时用这个序号"})
    text = fields.String(required=True)
    chosen = fields.Boolean(required=True)


class SheetQuestionSchema(Schema):
    number = fields.Integer(required=True)
    question_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    stem = fields.String(required=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)


class SheetSchema(Schema):
    attempt = fields.Nested(AttemptSchema, required=True)
    seconds_left = fields.Integer(required=True)
    questions = fields.List(fields.Nested(SheetQuestionSchema), required=True)


class AnswersSchema(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^\d{1,9}$")),
        values=fields.List(
            fields.Integer(validate=validate.Range(min=0, max=9)), validate=validate.Length(max=10)
        ),
        required=True,
        validate=validate.Length(max=200),
        metadata={"description": "题目 id → 选中的选项序号（position）"},
    )
    submit = fields.Boolean(load_default=False, metadata={"description": "同时交卷"})
    confirmed = fields.Boolean(
        load_default=False, metadata={"description": "有题未答也交卷；否则返回未答题号"}
    )


class SaveResultSchema(Schema):
    saved = fields.Integer(required=True)
    late = fields.Boolean(required=True, metadata={"description": "超时：没有记录，已自动交卷"})
    unanswered = fields.List(fields.Integer(), required=True)
    finished = fields.Boolean(required=True)


class ReviewOptionSchema(Schema):
    letter = fields.String(required=True)
    text = fields.String(required=True)
    is_key = fields.Boolean(required=True)
    chosen = fields.Boolean(required=True)


class ReviewItemSchema(Schema):
    number = fields.Integer(required=True)
    stem = fields.String(required=True)
    verdict = fields.String(
        required=True, validate=validate.OneOf(["right", "wrong", "unanswered"])
    )
    explanation = fields.String(required=True)
    options = fields.List(fields.Nested(ReviewOptionSchema), required=True)


class ReviewSchema(Schema):
    attempt = fields.Nested(AttemptSchema, required=True)
    review_allowed = fields.Boolean(required=True)
    items = fields.List(fields.Nested(ReviewItemSchema), required=True)


def _contest_dict(contest: Contest, now) -> dict:
    return {
        **{k: getattr(contest, k) for k in ContestSchema._declared_fields if k != "phase"},
        "phase": contest.phase(now),
    }


def _attempt_dict(attempt: Attempt) -> dict:
    done = attempt.finished_at is not None
    return {
        **{
            k: getattr(attempt, k)
            for k in (
                "id",
                "contest_id",
                "attempt_no",
                "started_at",
                "deadline",
                "finished_at",
                "answered",
            )
        },
        "score": attempt.score if done else None,
        "max_score": attempt.max_score if done else None,
    }


def _contest_or_404(contest_id: int) -> Contest:
    contest = sheets.visible_contest(contest_id, current_user)
    if contest is None:
        abort(404)
    return contest


def _attempt_or_404(attempt_id: int) -> Attempt:
    attempt = sheets.own_attempt(attempt_id, current_user.id)
    if attempt is None:
        abort(404)
    return attempt


@blp.route("")
@blp.public
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ContestSchema))
def contests(args: dict):
    """Published contests, newest opening first, each with its phase now."""
    now = utcnow()
    query = (
        select(Contest)
        .where(Contest.state == "published")
        .order_by(Contest.opens_at.desc(), Contest.id.desc())
    )
    page = paginate_query(query, args)
    page["items"] = [_contest_dict(contest, now) for contest in page["items"]]
    return page


@blp.route("/<int:contest_id>")
@blp.response(200, ContestDetailSchema)
def contest(contest_id: int):
    """One contest with my running attempt, my finished attempts and whether I may take part."""
    found = _contest_or_404(contest_id)
    now = utcnow()
    running = services.open_attempt(found, current_user)
    if running is not None and services.finish_if_overdue(running, now):
        running = None
    return {
        **_contest_dict(found, now),
        "eligible": services.is_eligible(found, current_user),
        "running": _attempt_dict(running) if running else None,
        "finished": [_attempt_dict(a) for a in services.finished_attempts(found, current_user)],
    }


@blp.route("/<int:contest_id>/attempts", methods=["POST"])
@blp.response(201, AttemptSchema)
@blp.alt_response(409, description="不在开放时间、不符合条件或次数已用完")
def start(contest_id: int):
    """Start an attempt (or get my running one back)."""
    found = _contest_or_404(contest_id)
    try:
        attempt = services.start_attempt(found, current_user)
    except ContestError as error:
        return problems.problem(409, str(error))
    return _attempt_dict(attempt)


@blp.route("/attempts/<int:attempt_id>")
@blp.response(200, SheetSchema)
def sheet(attempt_id: int):
    """My drawn sheet: questions and shuffled options with my saved choices, never the key."""
    attempt = _attempt_or_404(attempt_id)
    now = utcnow()
    services.finish_if_overdue(attempt, now)
    if attempt.finished_at is not None:
        return problems.problem(409, "这次答题已经交卷。")
    return {
        "attempt": _attempt_dict(attempt),
        "seconds_left": max(int((attempt.deadline - now).total_seconds()), 0),
        "questions": [
            {
                "number": number,
                "question_id": question.id,
                "kind": question.kind,
                "stem": question.stem,
                "options": [{"position": p, "text": t, "chosen": c} for p, t, c in options],
            }
            for number, question, options in sheets.sheet(attempt)
        ],
    }


@blp.route("/attempts/<int:attempt_id>/answers", methods=["POST"])
@blp.arguments(AnswersSchema)
@blp.response(200, SaveResultSchema)
@blp.alt_response(409, description="已交卷，或题目不属于这次答题")
def save(body: dict, attempt_id: int):
    """Save choices (by option position); with ``submit`` also hand in. A hand-in with
    questions unanswered waits unless ``confirmed``, and lists them."""
    _attempt_or_404(attempt_id)
    choices = {int(qid): positions for qid, positions in body["answers"].items()}
    try:
        result = services.save_answers(
            attempt_id,
            choices,
            submit=body["submit"],
            user_id=current_user.id,
            confirmed=body["confirmed"],
        )
    except (AttemptFinished, ContestError) as error:
        return problems.problem(409, str(error))
    attempt = db.session.get(Attempt, attempt_id)
    return {
        "saved": result.saved,
        "late": result.late,
        "unanswered": result.unanswered,
        "finished": attempt.finished_at is not None,
    }


@blp.route("/attempts/<int:attempt_id>/review")
@blp.response(200, ReviewSchema)
def review(attempt_id: int):
    """My score; with the key and explanations once the review cannot help a later attempt."""
    attempt = _attempt_or_404(attempt_id)
    if attempt.finished_at is None:
        return problems.problem(409, "还没有交卷。")
    allowed = sheets.review_allowed(attempt, utcnow())
    items = ranking.review(attempt) if allowed else []
    return {
        "attempt": _attempt_dict(attempt),
        "review_allowed": allowed,
        "items": [
            {
                "number": item.number,
                "stem": item.question.stem,
                "verdict": item.verdict,
                "explanation": item.question.explanation,
                "options": [
                    {"letter": letter, "text": text, "is_key": key, "chosen": chosen}
                    for letter, text, key, chosen in item.shown_options
                ],
            }
            for item in items
        ],
    }
