"""The topic menu (点单菜单): everyone may read it; programme managers edit it."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import orgunits, respond
from core.extensions import db
from core.permissions import permission_required
from plugins.lecturers.blueprint import bp
from plugins.lecturers.forms import TopicForm
from plugins.lecturers.models import FORMATS, Lecturer, Offer, Topic, TopicDomain, TopicFormat


@bp.route("/topics")
def topics():
    """Topics grouped by domain, with formats, usual length and audience, and lecturers."""
    domains = list(
        db.session.scalars(
            select(TopicDomain)
            .order_by(TopicDomain.position)
            .options(selectinload(TopicDomain.topics).selectinload(Topic.formats))
        )
    )
    offering: dict[int, list[Lecturer]] = {}
    query = (
        select(Offer.topic_id, Lecturer)
        .join(Lecturer, Lecturer.id == Offer.lecturer_id)
        .where(Lecturer.status == "approved", Lecturer.active.is_(True))
        .options(selectinload(Lecturer.user))
    )
    unit = orgunits.requested_unit(request.args)  # ?town=<id>: one town's lecturers (+ district)
    if unit is not None:
        query = query.where(Lecturer.org_unit_id.in_(orgunits.related_unit_ids(unit)))
    for topic_id, lecturer in db.session.execute(query):
        offering.setdefault(topic_id, []).append(lecturer)
    return render_template("lecturers/topics.html", domains=domains, offering=offering)


def _fill(form: TopicForm) -> None:
    form.domain_id.choices = [
        (d.id, d.name)
        for d in db.session.scalars(select(TopicDomain).order_by(TopicDomain.position))
    ]


def _save(form: TopicForm, topic: Topic) -> bool:
    clash = db.session.scalar(
        select(Topic.id).where(Topic.name == form.name.data, Topic.id != (topic.id or 0))
    )
    if clash:
        form.name.errors.append("已有同名专题。")
        return False
    if form.new_domain.data:
        domain = db.session.scalar(
            select(TopicDomain).where(TopicDomain.name == form.new_domain.data)
        ) or TopicDomain(name=form.new_domain.data, position=len(form.domain_id.choices))
        db.session.add(domain)
        db.session.flush()
        form.domain_id.data = domain.id
    topic.name = form.name.data
    topic.domain_id = form.domain_id.data
    topic.description = form.description.data or ""
    topic.active = bool(form.active.data)
    rows = []
    for code in FORMATS:
        minutes = getattr(form, f"{code}_minutes").data
        if minutes:
            row = topic.format_for(code) or TopicFormat(format=code)
            row.default_minutes = minutes
            row.default_audience = getattr(form, f"{code}_audience").data or 0
            rows.append(row)
    if not rows:
        form.briefing_minutes.errors.append("请至少为一种形式填写时长。")
        return False
    topic.formats = rows
    return True


@bp.route("/topics/new", methods=["GET", "POST"], defaults={"topic_id": None})
@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@permission_required("lecturers.manage")
def topic_edit(topic_id: int | None):
    """Add or edit a menu item and its formats."""
    topic = db.get_or_404(Topic, topic_id) if topic_id else Topic()
    form = TopicForm(obj=topic if request.method == "GET" and topic_id else None)
    _fill(form)
    if not form.domain_id.choices:
        abort(404)
    if request.method == "GET" and topic_id:
        for row in topic.formats:
            getattr(form, f"{row.format}_minutes").data = row.default_minutes
            getattr(form, f"{row.format}_audience").data = row.default_audience
    if form.validate_on_submit() and _save(form, topic):
        if topic_id is None:
            db.session.add(topic)
        db.session.flush()
        return respond.done(
            "专题已保存。",
            "lecturers.topics",
            record=("lecturers.topic_saved", topic, f"保存点单专题 {topic.name}"),
        )
    status = 400 if request.method == "POST" else 200
    return render_template("lecturers/topic_form.html", form=form, topic=topic), status
