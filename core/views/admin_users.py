"""Site administration of accounts: list, create, reset password, disable, grant roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from core import accounts, audit, confirm, respond
from core.extensions import db
from core.forms.admin import AdminUserForm, ConfirmForm, GrantRoleForm, ResetPasswordForm
from core.models import OrgUnit, RoleAssignment, User
from core.orgunits import VILLAGE_KINDS, unit_choices
from core.permissions import permission_required, require, unit_ids_where
from core.roles import ROLES, role_label

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/")
@permission_required("core.manage_users")
def index():
    """All accounts, searchable by name or phone."""
    query_text = (request.args.get("q") or "").strip()[:50]
    query = select(User).order_by(User.id.desc())
    if query_text:
        like = f"%{query_text}%"
        query = query.where(or_(User.display_name.like(like), User.phone.like(like)))
    pagination = db.paginate(
        query, page=max(request.args.get("page", 1, type=int), 1), per_page=30, error_out=False
    )
    return render_template("admin/users.html", pagination=pagination, q=query_text)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("core.manage_users")
def create():
    """An admin adds an account for someone (who can change the password later)."""
    form = AdminUserForm()
    mine = unit_ids_where(current_user, "core.manage_users")
    villages = [c for c in unit_choices(kinds=VILLAGE_KINDS) if c[0] in mine]
    form.home_unit_id.choices = [(0, "— 请选择 —"), *villages]
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.home_unit_id.data)
        if accounts.find_by_phone(form.phone.data):
            form.phone.errors.append(_("这个手机号已经注册过。"))
        elif unit is None:
            form.home_unit_id.errors.append(_("请选择所在村（社区）。"))
        else:
            user = accounts.create_user(
                form.phone.data, form.password.data, form.display_name.data, unit
            )
            return respond.done(
                _("账号已创建。"),
                "admin_users.detail",
                record=("core.user_created", user, f"创建账号 {user.display_name}"),
                user_id=user.id,
            )
    return render_template("admin/user_new.html", form=form)


def _grant_units() -> list[tuple[int, str]]:
    """No unit is chosen for the admin: a role on the whole town by a slip is too much power.
    Only the units this admin may grant on (a town's admin: their town)."""
    mine = unit_ids_where(current_user, "core.manage_roles")
    return [(0, _("— 请选择单位 —")), *[c for c in unit_choices() if c[0] in mine]]


def _detail_page(user: User, grant_form=None, reset_form=None, status: int = 200):
    """The account page, showing the failed form's errors when there is one."""
    if grant_form is None:
        grant_form = GrantRoleForm()
        grant_form.org_unit_id.choices = _grant_units()
    page = render_template(
        "admin/user_detail.html",
        user=user,
        grant_form=grant_form,
        reset_form=reset_form or ResetPasswordForm(),
        confirm=ConfirmForm(),
        roles=ROLES,
    )
    return page, status


@bp.route("/<int:user_id>")
@permission_required("core.manage_users")
def detail(user_id: int):
    """One account: roles, reset password, disable."""
    return _detail_page(_user_or_404(user_id))


@bp.route("/<int:user_id>/password", methods=["POST"])
@permission_required("core.manage_users")
def reset_password(user_id: int):
    """Set a new password; the person's existing sessions end."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        user.session_version += 1
        user.unlock()
        return respond.done(
            _("密码已重置，请把新密码当面告诉本人。"),
            "admin_users.detail",
            record=("core.password_reset", user, f"重置 {user.display_name} 的密码"),
            user_id=user.id,
        )
    return _detail_page(user, reset_form=form, status=400)


@bp.route("/<int:user_id>/active", methods=["POST"])
@permission_required("core.manage_users")
def set_active(user_id: int):
    """Disable or re-enable an account; a disabled person is logged out at their next request."""
    user = _user_or_404(user_id)
    ConfirmForm().validate_on_submit()
    enable = request.form.get("active") == "1"
    if user.id == current_user.id and not enable:
        flash(_("不能停用自己的账号。"), "error")
    else:
        user.active = enable
        audit.record(
            "core.user_enabled" if enable else "core.user_disabled",
            user,
            f"{'启用' if enable else '停用'}账号 {user.display_name}",
        )
        db.session.commit()
        flash(_("账号已启用。") if enable else "账号已停用。", "success")
    return redirect(url_for("admin_users.detail", user_id=user.id))


@bp.route("/<int:user_id>/roles", methods=["POST"])
@permission_required("core.manage_roles")
def grant(user_id: int):
    """Give a role on an org unit (and so on every unit below it)."""
    user = _user_or_404(user_id)
    form = GrantRoleForm()
    form.org_unit_id.choices = _grant_units()
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.org_unit_id.data)
        require("core.manage_roles", unit)
        if accounts.role_assignment(user, form.role.data, unit):
            flash(
                _(
                    "%(name)s 已在%(unit)s担任%(role)s，无需重复授予。",
                    name=user.display_name,
                    unit=unit.name,
                    role=ROLES[form.role.data],
                ),
                "info",
            )
            return redirect(url_for("admin_users.detail", user_id=user.id))
        assignment = accounts.grant_role(user, form.role.data, unit, granted_by=current_user)
        return respond.done(
            _("角色已授予。"),
            "admin_users.detail",
            record=(
                "core.role_granted",
                assignment,
                f"授予 {user.display_name} {ROLES[form.role.data]} @ {unit.name}",
            ),
            user_id=user.id,
        )
    return _detail_page(user, grant_form=form, status=400)


@bp.route("/<int:user_id>/roles/<int:assignment_id>/revoke", methods=["POST"])
@permission_required("core.manage_roles")
def revoke(user_id: int, assignment_id: int):
    """Take a role back."""
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != user_id:
        abort(404)
    require("core.manage_roles", assignment.org_unit)
    if assignment.user_id == current_user.id and assignment.role == "site_admin":
        flash(_("不能撤销自己的系统管理员角色。"), "error")
        return redirect(url_for("admin_users.detail", user_id=user_id))
    if not confirm.confirmed():
        return confirm.ask(
            _("撤销角色？"),
            _(
                "撤销%(name)s在%(unit)s的“%(role)s”角色后，对方立即失去相应权限。",
                name=assignment.user.display_name,
                unit=assignment.org_unit.name,
                role=role_label(assignment.role),
            ),
            back=url_for("admin_users.detail", user_id=user_id),
            button=_("确认撤销角色"),
        )
    audit.record(
        "core.role_revoked",
        assignment,
        f"撤销 {assignment.user.display_name} {ROLES.get(assignment.role)} @ {assignment.org_unit.name}",
    )
    db.session.delete(assignment)
    return respond.done(_("角色已撤销。"), "admin_users.detail", user_id=user_id)
