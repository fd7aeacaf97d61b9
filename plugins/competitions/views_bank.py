"""The question bank: list, edit, import with a preview, export."""

from __future__ import annotations

import secrets

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import audit, respond
from core.extensions import db
from core.permissions import permission_required
from plugins.competitions import importer
from plugins.competitions.blueprint import bp
from plugins.competitions.forms import ImportForm, QuestionForm
from plugins.competitions.models import CATEGORIES, ImportBatch, Question
from plugins.competitions.qtypes import LETTERS, QUESTION_TYPES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/bank")
@permission_required("competitions.manage")
def bank():
    """Questions filtered by category and difficulty, newest first."""
    query = select(Question).order_by(Question.id.desc())
    category = request.args.get("category", "")
    if category in CATEGORIES:
        query = query.where(Question.category == category)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template(
        "competitions/bank.html",
        page=page,
        category=category,
        categories=CATEGORIES,
        types=QUESTION_TYPES,
    )


@bp.route("/bank/new", methods=["GET", "POST"])
@bp.route("/bank/<int:question_id>/edit", methods=["GET", "POST"])
@permission_required("competitions.manage")
def edit_question(question_id: int | None = None):
    question = db.get_or_404(Question, question_id) if question_id else None
    form = QuestionForm(obj=question)
    if question is not None and request.method == "GET":
        for field, text in zip(form.option_fields(), question.options, strict=False):
            field.data = text
        form.answer.data = question.answer
    if form.validate_on_submit():
        qtype = QUESTION_TYPES[form.kind.data]
        key = importer.stem_key(form.stem.data)
        if question is None:
            question = Question()
            db.session.add(question)
        question.kind, question.category = form.kind.data, form.category.data
        question.difficulty, question.stem, question.stem_key = (
            form.difficulty.data,
            form.stem.data,
            key,
        )
        question.options = form.options()
        question.answer = qtype.normalise_answer(form.answer.data)
        question.explanation = form.explanation.data or ""
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            form.stem.errors = [*form.stem.errors, "题库中已有相同题目。"]
            return render_template("competitions/question_form.html", form=form, question=None)
        return respond.done(
            _("题目已保存。"),
            "competitions.bank",
            record=("competitions.question_saved", question, f"保存题目 {question.stem[:40]}"),
        )
    return render_template("competitions/question_form.html", form=form, question=question)


@bp.route("/bank/<int:question_id>/toggle", methods=["POST"])
@permission_required("competitions.manage")
def toggle_question(question_id: int):
    """Retire a question (kept for old attempts' reviews) or bring it back."""
    question = db.get_or_404(Question, question_id)
    question.active = not question.active
    audit.record(
        "competitions.question_toggled", question, "停用题目" if not question.active else "启用题目"
    )
    db.session.commit()
    return redirect(url_for("competitions.bank"))


@bp.route("/bank/template.<fmt>")
@permission_required("competitions.manage")
def template(fmt: str):
    if fmt == "xlsx":
        data, mimetype = importer.to_xlsx(importer.template_rows()), XLSX
    elif fmt == "csv":
        data, mimetype = importer.to_csv(importer.template_rows()), "text/csv"
    else:
        abort(404)
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=question-template.{fmt}"},
    )


@bp.route("/bank/export.xlsx")
@permission_required("competitions.manage")
def export():
    questions = db.session.scalars(select(Question).order_by(Question.id)).all()
    return Response(
        importer.to_xlsx(importer.bank_rows(questions)),
        mimetype=XLSX,
        headers={"Content-Disposition": "attachment; filename=question-bank.xlsx"},
    )


@bp.route("/bank/import", methods=["GET", "POST"])
@permission_required("competitions.manage")
def import_upload():
    """Upload: parse and check everything, keep the result server-side, show the preview."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(importer.MAX_BYTES + 1)
        try:
            good, bad = importer.parse_rows(importer.read_table(upload.filename or "", data))
        except importer.ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            batch = ImportBatch(
                token=secrets.token_urlsafe(24),
                created_by_id=current_user.id,
                filename=(upload.filename or "")[:200],
                rows=good,
                errors=bad,
            )
            db.session.add(batch)
            db.session.commit()
            return redirect(url_for("competitions.import_preview", token=batch.token))
    return render_template("competitions/import.html", form=form), 200 if not form.errors else 400


def _batch(token: str) -> ImportBatch:
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))
    if batch is None or batch.created_by_id != current_user.id:
        abort(404)
    return batch


@bp.route("/bank/import/<token>")
@permission_required("competitions.manage")
def import_preview(token: str):
    batch = _batch(token)
    return render_template(
        "competitions/import_preview.html",
        batch=batch,
        types=QUESTION_TYPES,
        categories=CATEGORIES,
        letters=LETTERS,
    )


@bp.route("/bank/import/<token>/confirm", methods=["POST"])
@permission_required("competitions.manage")
def import_confirm(token: str):
    """Save all good rows in one transaction, only if the file had no bad rows."""
    batch = _batch(token)
    if batch.saved_at is not None:
        flash(_("这批题目已经导入过了。"), "error")
        return redirect(url_for("competitions.bank"))
    if batch.errors and request.form.get("skip_bad") != "1":
        flash(_("文件中还有错误行，请改正后重新上传；没有保存任何题目。"), "error")
        return redirect(url_for("competitions.import_preview", token=token)), 303
    try:
        for row in batch.rows:
            db.session.add(Question(**{k: v for k, v in row.items() if k != "row"}))
        from core.timeutil import utcnow

        batch.saved_at = utcnow()
        audit.record("competitions.questions_imported", batch, f"导入 {len(batch.rows)} 题")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("导入期间题库有了相同题目，没有保存任何题目，请重新上传。"), "error")
        return redirect(url_for("competitions.import_upload"))
    flash(_("已导入 %(n)s 道题。", n=len(batch.rows)), "success")
    return redirect(url_for("competitions.bank"))
