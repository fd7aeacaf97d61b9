"""Every route of the core and every plugin, requested as every role, against the permission table.

The demo town is loaded; URL arguments are ids of village B's (渭溪村) objects. The coordinator
walking is village A's (黄土村): wherever a route acts on a village-B object that coordinator
must be refused. GETs are walked first, then POSTs (empty forms: a holder gets a page, a redirect
or a validation 400, never 403 or 500). A new route fails ``test_every_route_is_classified``
until it is added to ``TABLE``.
"""

from __future__ import annotations

import pytest

from core.plugins import registry
from tests.conftest import log_in
from tests.security import walk

ROLES = list(walk.ROLE_PHONES)

#: Does the demo person walking with this role hold their roles on village B (or above it)?
COVERS_B = {
    "anonymous": False,
    "resident": True,
    "volunteer": False,  # 马寨村
    "lecturer": True,  # town
    "village_coordinator": False,  # 黄土村 (village A)
    "counsellor": True,  # 渭溪村 (village B)
    "mediator": True,
    "programme_manager": True,
    "site_admin": True,
}

# Classes: "public" (anonymous too), "login" (anyone signed in), "any:<perm>" (holding the
# permission anywhere), "b:<perm>" (holding it on village B's object), "roles:a,b" (only these
# demo people: owners of the object, e.g. the resident's own record, the lecturer's own profile,
# the volunteer's own assignment, a judge). A dict gives a class per method.
TABLE: dict[str, str | dict[str, str]] = {
    "admin_units.add_district": "any:core.manage_units",
    "admin_units.create": "any:core.manage_units",
    "admin_units.edit": "any:core.manage_units",
    "admin_units.index": "any:core.manage_units",
    "admin_units.set_active": "any:core.manage_units",
    "admin_users.create": "any:core.manage_users",
    "admin_users.detail": "any:core.manage_users",
    "admin_users.grant": "any:core.manage_roles",
    "admin_users.index": "any:core.manage_users",
    "admin_users.reset_password": "any:core.manage_users",
    "admin_users.revoke": "any:core.manage_roles",
    "admin_users.set_active": "any:core.manage_users",
    "audit_log.index": "any:core.view_audit",
    "wechat_group.index": "any:core.post_wechat_group",
    "api_tokens.revoke": "login",  # one's own token; another's is a 404 (tests/core)
    "auth.change_password": "login",
    "auth.login": "public",
    "auth.logout": "public",
    "auth.profile": "login",
    "auth.signup": "public",
    "channels.save": "login",
    "lecturers.attend": "login",
    "lecturers.attend_rate": "login",
    "lecturers.wish_new": "login",
    "lecturers.wishes_decide": "login",
    "lecturers.wishes_page": "login",
    "wechat.bind": "login",
    "wechat.bound": "login",
    "wechat.callback": "public",
    "wechat.unbind": "login",
    "verify.forgot_password": "public",
    "verify.reset_password": "public",
    "verify.signup_code": "public",
    "calendar.board": "public",
    "calendar.cancel_event": "b:calendar.manage_events",
    "calendar.cancel_occurrence": "b:calendar.manage_events",
    "calendar.categories": "any:calendar.manage_categories",
    "calendar.categories_css": "public",
    "calendar.checkin": "login",
    "calendar.edit": "b:calendar.manage_events",
    "calendar.edit_category": "any:calendar.manage_categories",
    "calendar.edit_occurrence": "b:calendar.manage_events",
    "calendar.event": "public",
    "calendar.event_ics": "public",
    "calendar.occurrence_ics": "public",
    "calendar.index": "public",
    "calendar.manage": "any:calendar.manage_events",
    "calendar.material_file": "b:calendar.view_materials",
    "calendar.materials": "b:calendar.view_materials",
    "calendar.materials_by_month": "any:calendar.view_materials",
    "calendar.mine": "login",
    "calendar.month": "public",
    "calendar.new": "any:calendar.manage_events",
    "calendar.occurrence": "public",
    "calendar.pauses": "b:calendar.manage_events",
    "calendar.private_feed": "public",
    "calendar.public_feed": "public",
    "calendar.qr": "b:calendar.checkin",
    "calendar.qr_page": "b:calendar.checkin",
    "calendar.regenerate_token": "login",
    "calendar.register": "login",
    "calendar.report_attended": "login",  # evidence lists: ?unit_id= checked in the view
    "calendar.report_held": "login",
    "calendar.restore_occurrence": "b:calendar.manage_events",
    "calendar.revoke_token": "login",
    "calendar.rollcall": {"GET": "b:calendar.checkin", "POST": "b:calendar.checkin"},
    "calendar.signin_sheet": "b:calendar.checkin",
    "calendar.signin_xlsx": "b:calendar.checkin",
    "calendar.static": "public",
    "calendar.subscribe": "public",
    "calendar.tick": "b:calendar.checkin",
    "calendar.unpause": "b:calendar.manage_events",
    "calendar.unregister": "login",
    "calendar.untick": "b:calendar.checkin",
    "calendar.week": "public",
    "competitions.add_evidence": "b:competitions.nominate",
    "competitions.attempt": "roles:",  # another person's attempt: nobody walking owns it
    "competitions.awards_index": "public",
    "competitions.bank": "any:competitions.manage",
    "competitions.certificates": "public",
    "competitions.contest": "public",
    "competitions.contest_state": "any:competitions.manage",
    "competitions.edit_contest": "any:competitions.manage",
    "competitions.edit_question": "any:competitions.manage",
    "competitions.evidence": "login",
    "competitions.export": "any:competitions.manage",
    "competitions.import_confirm": "any:competitions.manage",
    "competitions.import_preview": "any:competitions.manage",
    "competitions.import_upload": "any:competitions.manage",
    "competitions.index": "public",
    "competitions.leaderboard": "public",
    "competitions.live_advance": "b:competitions.host",
    "competitions.live_answer": "public",
    "competitions.live_finish": "b:competitions.host",
    "competitions.live_host": "b:competitions.host",
    "competitions.live_projector": "b:competitions.host",
    "competitions.live_host_state": "b:competitions.host",
    "competitions.live_join": "public",
    "competitions.live_list": "any:competitions.host",
    "competitions.live_new": "any:competitions.host",
    "competitions.live_play": "public",
    "competitions.live_results": "b:competitions.host",
    "competitions.live_state": "public",
    "competitions.manage": "any:competitions.manage",
    "competitions.mark_winner": "any:competitions.manage",
    "competitions.nominate": "any:competitions.nominate",
    # the nomination is village B's; 黄医生 (lecturer) judges the round
    # (only judges and the nominating staff may post scores, not the site admin)
    "competitions.nomination": {
        "GET": "roles:lecturer,counsellor,programme_manager,site_admin",
        "POST": "roles:lecturer,counsellor,programme_manager",
    },
    "competitions.participation": "login",
    "competitions.result": "roles:",
    "competitions.round_detail": "public",
    "competitions.round_judges": "any:competitions.manage",
    "competitions.round_new": "any:competitions.manage",
    "competitions.round_state": "any:competitions.manage",
    "competitions.start": "login",
    "competitions.static": "public",
    "competitions.template": "any:competitions.manage",
    "competitions.toggle_question": "any:competitions.manage",
    "credits.certificate": "login",
    "credits.ledger": "login",  # evidence list: ?unit_id= checked in the view
    "credits.certificate /credits/people/<int:user_id>/certificate": "roles:resident,counsellor,"
    "programme_manager,site_admin",
    "credits.edit_rule": "any:credits.manage_rules",
    "credits.households": "login",
    "credits.index": "public",
    "credits.people": "any:credits.view_people",
    "credits.person": "roles:resident,counsellor,programme_manager,site_admin",
    "credits.rankings": "login",
    "credits.rules": "any:credits.manage_rules",
    "credits.set_household": "login",
    "credits.static": "public",
    "learning.assignment_list": "any:learning.assign",
    "learning.assignment_new": "any:learning.assign",
    "learning.attachment": "public",
    "learning.attachment_add": "b:learning.manage",
    "learning.certificate": "login",  # one's own certificate (404 without one)
    "learning.check": "login",
    "learning.confirm": "login",
    "learning.course": "public",
    "learning.course_edit_lessons": "b:learning.manage",
    "learning.course_form": "any:learning.manage",
    "learning.course_form /learning/manage/courses/<int:course_id>/edit": "b:learning.manage",
    "learning.course_publish": "b:learning.manage",
    "learning.index": "public",
    "learning.lesson": "public",
    "learning.lesson_events": "b:learning.manage",
    "learning.lesson_form": "b:learning.manage",
    "learning.lesson_media": "public",
    "learning.manage": "any:learning.manage",
    "learning.mine": "login",
    "learning.party_remove": "b:learning.assign",
    "learning.party_roster": "any:learning.assign",
    "learning.position": "login",
    "learning.practice_answer": "login",
    "learning.practice_family": "login",
    "learning.practice_today": "login",
    "learning.report_completion_rate": "login",  # evidence lists: ?unit_id= checked in the view
    "learning.report_completions": "login",
    "learning.report_learners": "login",
    "learning.static": "public",
    "lecturers.apply": "login",
    # lecturer 1 is 黄医生 himself: his profile, availability and blackouts
    "lecturers.availability_add": "roles:lecturer,programme_manager,site_admin",
    "lecturers.blackout_add": "roles:lecturer,programme_manager,site_admin",
    "lecturers.corps_list": "public",
    "lecturers.coverage": "any:lecturers.view_reports",
    "lecturers.coverage_xlsx": "any:lecturers.view_reports",
    "lecturers.index": "public",
    "lecturers.lecture_ics": "public",  # a lecture on the calendar (404 before scheduling)
    "lecturers.lecturer_detail": "public",
    "lecturers.lecturer_edit": "roles:lecturer,programme_manager,site_admin",
    "lecturers.lecturer_review": "any:lecturers.manage",
    "lecturers.lecturer_row_delete": "roles:lecturer,programme_manager,site_admin",
    "lecturers.manage": "any:lecturers.manage",
    "lecturers.mine": "login",
    "lecturers.new_request": "any:lecturers.request",
    "lecturers.public_lecture": "public",
    "lecturers.public_material": "public",  # slides only; records of the lecture are 404
    "lecturers.recommend": "any:lecturers.recommend",
    "lecturers.report_audience": "login",  # evidence lists: ?unit_id= checked in the view
    "lecturers.report_delivered": "login",
    # the request is village B's and assigned to 黄医生
    "lecturers.request_action": "roles:programme_manager,site_admin",  # action "cancel"
    "lecturers.request_detail": "roles:lecturer,counsellor,programme_manager,site_admin",
    # materials: the manager, the assigned lecturer, that village's coordinator (materials.py)
    "lecturers.download_material": "roles:lecturer,counsellor,programme_manager,site_admin",
    "lecturers.upload_material": "roles:lecturer,programme_manager,site_admin",
    "lecturers.requests": "roles:village_coordinator,counsellor,programme_manager,site_admin",
    "lecturers.static": "public",
    "lecturers.topic_edit": "any:lecturers.manage",
    "lecturers.topics": "public",
    "main.dashboard": "login",
    "main.healthz": "public",
    "main.ready": "public",  # restricted by client address (METRICS_ALLOW), not by login
    "main.home": "public",
    "main.set_language": "public",
    "metrics": "public",  # restricted by client address (METRICS_ALLOW), not by login
    "notifications.index": "login",
    "notifications.mark_all_read": "login",
    "notifications.mark_read": "login",
    "reports.add_spending": "b:reports.record_spending",
    "reports.add_income": "b:reports.manage",
    "reports.assessment": "any:reports.view",
    "reports.bulletin": "any:reports.view",
    "reports.bulletin_xlsx": "any:reports.view",
    "reports.delete_income": "b:reports.manage",
    "reports.delete_spending": "b:reports.manage",
    "reports.funds": "any:reports.view",
    "reports.funds_unit": "b:reports.view",
    "reports.funds_xlsx": "any:reports.view",
    "reports.goals": "any:reports.manage",
    "reports.income_document": "b:reports.view",
    "reports.index": "any:reports.view",
    "reports.learning": "public",
    "reports.learning_feed": "public",
    "reports.learning_item": "public",
    "reports.learning_new": "any:reports.manage",
    "reports.learning_picture": "public",
    "reports.learning_text": "public",
    "reports.learning_withdraw": "any:reports.manage",
    "reports.progress": "any:reports.view",
    "reports.receipt": "b:reports.view",
    "reports.set_budget": "b:reports.manage",
    "reports.static": "public",
    "reports.unit": "b:reports.view",
    "reports.weights": "any:reports.manage",
    "static": "public",
    "steering.coverage_assign": "any:steering.manage",
    "steering.coverage_page": "any:steering.view",
    "steering.coverage_remove": "b:steering.manage",
    "steering.evidence_file": "b:steering.view",
    "steering.figure_on_time": "b:steering.view",
    "steering.figure_overdue": "b:steering.view",
    "steering.figure_training": "b:steering.view",
    "steering.figure_visits": "b:steering.view",
    "steering.meeting": "any:steering.view",
    "steering.meeting_attendance": "any:steering.manage",
    "steering.meeting_new": "any:steering.manage",
    "steering.meetings_list": "login",
    "steering.rule": "public",
    "steering.rule_edit": "any:steering.edit_rules",
    "steering.rule_history": "public",
    "steering.rules_index": "public",
    "steering.standard_items": "any:steering.manage",
    "steering.standard_milestone": "any:steering.manage",
    "steering.standard_page": "any:steering.view",
    "steering.standard_score": "b:steering.manage",
    "steering.standard_self": "b:steering.self_assess",
    "steering.standard_unit": "b:steering.view",
    "steering.task": "b:steering.view",
    # the demo's village-B task is owned by 唐晓萍 (the counsellor); only she adds evidence
    "steering.task_action": "b:steering.view",
    "steering.task_evidence": "roles:counsellor",
    "steering.task_new": "any:steering.assign",
    "steering.tasks_list": "login",
    "steering.visit": "b:steering.view",
    "steering.visit_new": "b:steering.assign",
    "steering.visits_list": "any:steering.assign",
    "steering.tasks_xlsx": "login",
    "steering.training": "any:steering.view",
    "volunteers.approve": "b:volunteers.approve_volunteers",
    "volunteers.autofill": "any:volunteers.manage_shifts",
    "volunteers.availability_add": "login",
    "volunteers.availability_delete": "login",
    "volunteers.blackout_add": "login",
    "volunteers.blackout_delete": "login",
    "volunteers.certificate": "login",
    "volunteers.certificate /volunteers/certificate/<int:user_id>": "roles:resident",
    # assignment 1 is 吴小红's (the volunteer); staff of village B may record her presence
    "volunteers.check_in": "roles:volunteer,counsellor,programme_manager,site_admin",
    "volunteers.check_out": "roles:volunteer,counsellor,programme_manager,site_admin",
    "volunteers.confirm_hours": "b:volunteers.manage_shifts",
    "volunteers.history": "login",
    "volunteers.history /volunteers/history/<int:user_id>": "roles:resident",
    "volunteers.index": "public",
    "volunteers.invite": "b:volunteers.manage_shifts",
    "volunteers.manage": "any:volunteers.manage_shifts",
    "volunteers.match": "b:volunteers.manage_shifts",
    "volunteers.mediation_cancel": "b:volunteers.manage_mediation",
    # case 1 was requested by 王大妈 (the resident)
    "volunteers.mediation_detail": "roles:resident,mediator,site_admin",
    "volunteers.mediation_list": "login",
    "volunteers.mediation_new": "login",
    "volunteers.mediation_outcome": "b:volunteers.manage_mediation",
    "volunteers.mediation_recuse": "b:volunteers.manage_mediation",
    "volunteers.mediation_schedule": "b:volunteers.manage_mediation",
    "volunteers.my_shifts": "login",
    "volunteers.no_show": "b:volunteers.manage_shifts",
    "volunteers.profile_edit": "login",
    "volunteers.reject": "b:volunteers.approve_volunteers",
    "volunteers.report_hours": "any:volunteers.view_reports",
    "volunteers.report_mediation": "any:volunteers.view_reports",
    "volunteers.report_roster": "any:volunteers.view_reports",
    "volunteers.respond": "roles:volunteer",
    "volunteers.role_needed": "b:volunteers.manage_shifts",
    "volunteers.roster": "b:volunteers.manage_shifts",
    "volunteers.shift_cancel": "b:volunteers.manage_shifts",
    "volunteers.shift_detail": "public",
    "volunteers.shift_edit": "any:volunteers.manage_shifts",
    "volunteers.shift_edit /volunteers/manage/shifts/<int:shift_id>/edit": "b:"
    "volunteers.manage_shifts",
    "volunteers.signup": "login",
    "volunteers.skills": "any:volunteers.manage_skills",
    "volunteers.static": "public",
    "volunteers.volunteers_list": "any:volunteers.approve_volunteers",
    "volunteers.withdraw": "roles:volunteer",
}

#: Posts whose form names the unit acted on: an empty form names none, and the view refuses
#: with 403 ("another village's id typed into the form") even for a holder.
UNIT_NAMED_IN_FORM = {"lecturers.new_request"}


def _class(rule, method: str) -> str:
    entry = TABLE.get(f"{rule.endpoint} {rule.rule}", TABLE.get(rule.endpoint))
    if isinstance(entry, dict):
        return entry[method]
    return entry


def _allowed(cls: str, role: str, permissions) -> bool:
    if cls == "public":
        return True
    if role == "anonymous":
        return False
    if cls == "login":
        return True
    if cls.startswith("roles:"):
        return role in cls.removeprefix("roles:").split(",")
    scope, _, name = cls.partition(":")
    holds = role == "site_admin" or role in permissions[name].default_roles
    return holds and (scope == "any" or COVERS_B[role])


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    return str(response.status_code)


def test_every_route_is_classified(app):
    names = {rule.endpoint for rule in walk.rules(app, "GET") + walk.rules(app, "POST")}
    missing = sorted(name for name in names if name not in TABLE)
    assert not missing, f"classify these routes in TABLE: {missing}"
    with app.app_context():
        declared = registry(app).permissions
    for entry in TABLE.values():
        for cls in entry.values() if isinstance(entry, dict) else [entry]:
            if cls.startswith(("any:", "b:")):
                assert cls.partition(":")[2] in declared, cls


def _walk(app, role: str):
    """Every GET then every POST route as ``role``, on this test's own copy of the demo town
    (so one role's posts never change what another role is answered)."""
    users = walk.user_ids(app)
    values = walk.argument_values(app)
    client = app.test_client()
    for method in ("GET", "POST"):
        for rule in walk.rules(app, method):
            url = walk.build_url(rule, values)
            if users[role]:
                log_in(client, app, users[role])  # again: a post may have logged them out
            try:
                response = client.get(url) if method == "GET" else client.post(url, data={})
                outcome = _outcome(response)
            except Exception as error:  # a 500 in testing mode
                outcome = f"500 {error!r}"
            yield method, rule, url, _class(rule, method), outcome


@pytest.mark.demo_town
@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_what_the_permission_table_says(app, role):
    """One walk per role checked three ways: no 500, the table, village A."""
    with app.app_context():
        permissions = registry(app).permissions
    errors, wrong, leaks = [], [], []
    for method, rule, url, cls, outcome in _walk(app, role):
        where = f"{method} {url} ({cls}) as {role}"
        if outcome.startswith("5"):
            errors.append(f"{where}: {outcome}")
            continue
        on_b = cls.startswith("b:") or (cls.startswith("roles:") and role not in cls)
        if role == "village_coordinator" and on_b and outcome not in ("403", "404"):
            leaks.append(f"{where}: {outcome}")
        if _allowed(cls, role, permissions):
            refused = outcome in ("login", "403")
            if refused and method == "POST" and rule.endpoint in UNIT_NAMED_IN_FORM:
                refused = outcome == "login"
            if refused:
                wrong.append(f"{where}: refused with {outcome}")
        elif outcome not in ("login", "403", "404") or (outcome == "login") != (
            role == "anonymous"
        ):
            wrong.append(f"{where}: NOT refused ({outcome})")
    assert not errors, "answered 500:\n" + "\n".join(errors)
    assert not leaks, "village A's coordinator reached village B:\n" + "\n".join(leaks)
    assert not wrong, "\n".join(wrong)
