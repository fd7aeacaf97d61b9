"""Managers' pages: assign a course to a group, follow it by village, keep the party roster."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import accounts, respond
from core.extensions import db
from core.models import OrgUnit
from core.permissions import permission_required, require, unit_ids_where
from plugins.learning import catalog
from plugins.learning.assignments import services as assignments
from plugins.learning.assignments.forms import AssignmentForm, PartyMemberForm
from plugins.learning.assignments.models import CourseAssignment, PartyMember
from plugins.learning.blueprint import bp
from plugins.learning.models import Course
from plugins.learning.views_manage import unit_choices


@bp.route("/assignments/")
@permission_required("learning.assign")
def assignment_list():
    """Assignments on the units this person looks after, each by village."""
    ids = unit_ids_where(current_user, "learning.assign")
    found = db.session.scalars(
        select(CourseAssignment)
        .where(CourseAssignment.org_unit_id.in_(ids))
        .order_by(CourseAssignment.due_on)
    )
    rows = [(assignment, assignments.by_village(assignment)) for assignment in found]
    return render_template("learning/assignments.html", rows=rows)


@bp.route("/assignments/new", methods=["GET", "POST"])
@permission_required("learning.assign")
def assignment_new():
    form = AssignmentForm()
    form.course_id.choices = [(c.id, c.title) for c in catalog.published_courses()]
    form.org_unit_id.choices = unit_choices("learning.assign")
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.org_unit_id.data)
        require("learning.assign", unit)
        course = db.session.get(Course, form.course_id.data)
        duplicate = db.session.scalar(
            select(CourseAssignment.id).where(
                CourseAssignment.course_id == course.id,
                CourseAssignment.org_unit_id == unit.id,
                CourseAssignment.group == form.group.data,
            )
        )
        if duplicate:
            form.group.errors = [_("这门课已经布置给这个单位的这些学员了。")]
        else:
            assignments.create(course, unit, form.group.data, form.due_on.data, current_user.id)
            return respond.done(_("学习任务已布置，已通知每位学员。"), "learning.assignment_list")
    status = 400 if request.method == "POST" else 200
    return render_template("learning/assignment_form.html", form=form), status


@bp.route("/party/", methods=["GET", "POST"])
@permission_required("learning.assign")
def party_roster():
    """党员名册 of the units this person looks after; add by phone number."""
    form = PartyMemberForm()
    form.org_unit_id.choices = unit_choices("learning.assign")
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.org_unit_id.data)
        require("learning.assign", unit)
        person = accounts.find_by_phone(form.phone.data)
        if person is None:
            form.phone.errors = [_("没有这个手机号的账号，请先让本人注册。")]
        elif assignments.add_party_member(person, unit, current_user.id) is None:
            form.phone.errors = [_("此人已在党员名册中。")]
        else:
            return respond.done(_("已加入党员名册。"), "learning.party_roster")
    ids = unit_ids_where(current_user, "learning.assign")
    roster = db.session.scalars(
        select(PartyMember).where(PartyMember.org_unit_id.in_(ids)).order_by(PartyMember.id)
    )
    status = 400 if request.method == "POST" else 200
    return render_template("learning/party.html", form=form, roster=list(roster)), status


@bp.route("/party/<int:member_id>/remove", methods=["POST"])
@permission_required("learning.assign")
def party_remove(member_id: int):
    member = db.session.get(PartyMember, member_id)
    if member is None:
        abort(404)
    require("learning.assign", member)
    assignments.remove_party_member(member)
    return respond.done(_("已移出党员名册。"), "learning.party_roster")
