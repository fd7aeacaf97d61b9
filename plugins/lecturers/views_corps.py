"""The lecturer corps pages: list, profile, apply, recommend, review, edit, own assignments."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import accounts, audit, availability, permissions, respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.permissions import permission_required
from plugins.lecturers import corps
from plugins.lecturers.blueprint import bp
from plugins.lecturers.corps import lecturer_of
from plugins.lecturers.forms import LecturerForm, RecommendForm, ReviewForm
from plugins.lecturers.models import Lecturer, Offer
from plugins.lecturers.requests.models import DONE_STATES, LectureRequest


def is_owner_or_manager(lecturer: Lecturer) -> bool:
    if not current_user.is_authenticated:
        return False
    return lecturer.user_id == current_user.id or permissions.can(
        current_user, "lecturers.manage", lecturer
    )


@bp.route("/corps")
def corps_list():
    """The approved lecturers with their unit, topics and ratings."""
    lecturers = list(
        db.session.scalars(
            select(Lecturer)
            .where(Lecturer.status == "approved")
            .order_by(Lecturer.id)
            .options(
                selectinload(Lecturer.user),
                selectinload(Lecturer.org_unit),
                selectinload(Lecturer.offers).selectinload(Offer.topic),
            )
        )
    )
    pending = []
    if permissions.can(current_user, "lecturers.manage"):
        pending = list(
            db.session.scalars(
                select(Lecturer)
                .where(Lecturer.status == "applied")
                .options(selectinload(Lecturer.user), selectinload(Lecturer.org_unit))
            )
        )
    return render_template(
        "lecturers/corps.html",
        lecturers=lecturers,
        pending=pending,
        ratings=corps.rating_summary([lecturer.id for lecturer in lecturers]),
    )


@bp.route("/corps/<int:lecturer_id>")
def lecturer_detail(lecturer_id: int):
    """A lecturer's profile; the owner and managers also see availability and review."""
    lecturer = db.get_or_404(Lecturer, lecturer_id)
    private = is_owner_or_manager(lecturer)
    if lecturer.status != "approved" and not private:
        abort(404)
    return render_template(
        "lecturers/lecturer.html",
        lecturer=lecturer,
        private=private,
        villages=corps.village_names(),
        rating=corps.rating_summary([lecturer.id]).get(lecturer.id),
        review_form=ReviewForm(prefix="review"),
        free_time=availability.summary(lecturer.user_id) if private else None,
        confirm=ConfirmForm(),
    )


@bp.route("/corps/apply", methods=["GET", "POST"])
@login_required
def apply():
    """Self-nomination (自荐) to the lecturer corps."""
    existing = lecturer_of(current_user)
    if existing is not None:
        flash("您已经提交过讲师资料。", "info")
        return redirect(url_for("lecturers.lecturer_detail", lecturer_id=existing.id))
    form = LecturerForm()
    corps.fill_choices(form)
    if form.validate_on_submit():
        lecturer = Lecturer(user_id=current_user.id)
        corps.save_form(form, lecturer)
        corps.submit_application(lecturer)
        return respond.done(
            "申请已提交，管理员审核后会通知您。",
            "lecturers.lecturer_detail",
            lecturer_id=lecturer.id,
        )
    return render_template("lecturers/lecturer_form.html", form=form, mode="apply")


@bp.route("/corps/recommend", methods=["GET", "POST"])
@permission_required("lecturers.recommend")
def recommend():
    """A unit head recommends someone (who has an account) to the corps."""
    form = RecommendForm()
    corps.fill_choices(form)
    if form.validate_on_submit():
        person = accounts.find_by_phone(form.phone.data)
        if person is None:
            form.phone.errors.append("这个手机号还没有注册乡学通，请对方先注册。")
        elif lecturer_of(person) is not None:
            form.phone.errors.append("此人已在讲师团或已提交过申请。")
        else:
            lecturer = Lecturer(user_id=person.id)
            lecturer.user = person
            corps.save_form(form, lecturer)
            corps.submit_application(lecturer, recommender=current_user)
            db.session.commit()
            flash(
                f"已推荐{person.display_name}加入讲师团。管理员审核通过后会通知对方和您。",
                "success",
            )
            if is_owner_or_manager(lecturer):
                return redirect(url_for("lecturers.lecturer_detail", lecturer_id=lecturer.id))
            # The application is not public: the recommender lands on the corps list.
            return redirect(url_for("lecturers.corps_list"))
    return render_template("lecturers/lecturer_form.html", form=form, mode="recommend")


@bp.route("/corps/<int:lecturer_id>/edit", methods=["GET", "POST"])
@login_required
def lecturer_edit(lecturer_id: int):
    """The lecturer (or a manager) edits the profile: topics, formats, villages, load, rest."""
    lecturer = db.get_or_404(Lecturer, lecturer_id)
    if not is_owner_or_manager(lecturer):
        abort(403)
    form = LecturerForm()
    corps.fill_choices(form)
    if request.method == "GET":
        corps.load_form(form, lecturer)
    if form.validate_on_submit():
        corps.save_form(form, lecturer)
        audit.record("lecturers.profile_edited", lecturer, f"修改讲师资料 {lecturer}")
        reapplied = lecturer.status == "rejected" and lecturer.user_id == current_user.id
        if reapplied:  # a rejected applicant who improves the profile applies again
            corps.reapply(lecturer, current_user)
        return respond.done(
            "资料已保存，已重新提交审核。" if reapplied else "资料已保存。",
            "lecturers.lecturer_detail",
            lecturer_id=lecturer.id,
        )
    return render_template(
        "lecturers/lecturer_form.html", form=form, mode="edit", lecturer=lecturer
    )


@bp.route("/corps/<int:lecturer_id>/review", methods=["POST"])
@login_required
def lecturer_review(lecturer_id: int):
    """A manager approves or rejects (with a reason) an application."""
    lecturer = db.get_or_404(Lecturer, lecturer_id)
    permissions.require("lecturers.manage", lecturer)
    form = ReviewForm(prefix="review")
    if lecturer.status != "applied":
        flash("这份申请已经审核过了。", "error")
    elif form.validate():
        corps.review(lecturer, form.decision.data == "approve", form.reason.data, current_user)
        db.session.commit()
        flash("审核结果已保存。", "success")
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("lecturers.lecturer_detail", lecturer_id=lecturer.id))


@bp.route("/mine")
@login_required
def mine():
    """The lecturer's own assignments, history and ratings."""
    lecturer = lecturer_of(current_user)
    if lecturer is None:
        return redirect(url_for("lecturers.apply"))
    rows = list(
        db.session.scalars(
            select(LectureRequest)
            .where(LectureRequest.lecturer_id == lecturer.id)
            .order_by(LectureRequest.scheduled_start.desc(), LectureRequest.id.desc())
            .options(
                selectinload(LectureRequest.topic),
                selectinload(LectureRequest.village),
                selectinload(LectureRequest.slots),
            )
        )
    )
    # What comes next first: by the lecture's time, or its first preferred slot.
    current = sorted(
        (r for r in rows if r.state in ("assigned", "accepted", "scheduled")),
        key=lambda r: (
            r.scheduled_start or min((s.start for s in r.slots), default=r.created_at),
            r.id,
        ),
    )
    history = [r for r in rows if r.state in DONE_STATES]
    return render_template(
        "lecturers/mine.html",
        lecturer=lecturer,
        current=current,
        history=history,
        rating=corps.rating_summary([lecturer.id]).get(lecturer.id),
    )
