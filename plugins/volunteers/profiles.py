"""Volunteer profiles: create or update, approval, and the lookups pages need."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.extensions import db
from core.models import OrgUnit, User
from plugins.volunteers.models import Profile, Skill, Team
from plugins.volunteers.workflow import APPROVAL


def profile_of(user_id: int) -> Profile | None:
    return db.session.scalar(select(Profile).where(Profile.user_id == user_id))


def requires_approval() -> bool:
    return bool(current_app.config.get("VOLUNTEERS_REQUIRE_APPROVAL", False))


def save_profile(user: User, data: dict) -> tuple[Profile, bool]:
    """Create or update ``user``'s profile from form data; returns (profile, created)."""
    profile = profile_of(user.id)
    created = profile is None
    if created:
        profile = Profile(user_id=user.id, status="pending")
        db.session.add(profile)
    elif APPROVAL.can(user, profile, "resubmit"):
        APPROVAL.apply(profile, "resubmit", user)  # changed after a refusal: back in the queue
    profile.home_unit_id = data["home_unit_id"]
    profile.monthly_max_shifts = data["monthly_max_shifts"]
    profile.note = data.get("note") or ""
    profile.skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(data["skills"]))))
    profile.teams = list(db.session.scalars(select(Team).where(Team.id.in_(data["teams"]))))
    profile.villages = list(
        db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(data["villages"])))
    )
    db.session.flush()
    if created and not requires_approval():
        APPROVAL.apply(profile, "auto_approve", None)  # no approval asked: the site approves
    return profile, created


def approve(profile: Profile, reviewer: User) -> None:
    """Approve a volunteer: they get the volunteer role on their home village (audited, and
    the volunteer is told, by ``workflow.APPROVAL``)."""
    APPROVAL.apply(profile, "approve", reviewer)


def reject(profile: Profile, reviewer: User, reason: str) -> None:
    """Decline a registration; the person is told why and may change the profile and retry."""
    APPROVAL.apply(profile, "reject", reviewer, reason=reason)


def active_skills() -> list[Skill]:
    return list(db.session.scalars(select(Skill).where(Skill.active.is_(True)).order_by(Skill.id)))


def all_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def seed_skills() -> None:
    """The seeded skill list (idempotent)."""
    from plugins.volunteers.models import SEED_SKILLS

    have = set(db.session.scalars(select(Skill.code)))
    for code, name in SEED_SKILLS:
        if code not in have:
            db.session.add(Skill(code=code, name=name))
    db.session.flush()


def ensure_skills() -> None:
    """Seed the skill list the first time it is needed (a fresh site has none)."""
    if db.session.scalar(select(Skill.id).limit(1)) is None:
        try:
            with db.session.begin_nested():
                seed_skills()
        except IntegrityError:  # another request seeded them at the same moment: they are there
            pass
        db.session.commit()


class NameTaken(ValueError):
    """A skill or team of that name exists already (shown beside the name field)."""


class NoFreeCode(RuntimeError):
    """Every code tried for a new skill was taken at that moment (shown as "try again")."""


def _skill_codes() -> Iterator[str]:
    """``custom<n>`` after the number of skills, then the next two numbers, then random ones.

    Two managers adding at once both count the same rows; the one who inserts second meets
    the unique code and moves on to the next candidate.
    """
    count = db.session.scalar(select(func.count(Skill.id)))
    for step in range(1, 4):
        yield f"custom{count + step}"
    for _ in range(3):
        yield f"custom-{secrets.token_hex(6)}"


def _insert_unless_name_taken(row: Skill | Team) -> bool:
    """Insert ``row`` in a savepoint: True if it went in, False if a unique value clashed with a
    row added a moment ago (the transaction goes on). Raise ``NameTaken`` for a known name."""
    model = type(row)
    if db.session.scalar(select(model.id).where(model.name == row.name)) is not None:
        raise NameTaken(row.name)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def add_skill(name: str) -> Skill:
    """Add a managed skill and audit it (the caller commits); raises ``NameTaken`` or
    ``NoFreeCode``."""
    for code in _skill_codes():  # a clash on the name shows at the next try's check
        skill = Skill(name=name, code=code)
        if _insert_unless_name_taken(skill):
            audit.record("volunteers.skill_added", skill, f"添加技能：{skill.name}")
            return skill
    raise NoFreeCode(name)


def add_team(name: str, description: str = "") -> Team:
    """Add a volunteer team and audit it (the caller commits); raises ``NameTaken``."""
    team = Team(name=name, description=description)
    if not _insert_unless_name_taken(team):
        raise NameTaken(name)  # the name is the team's only unique value
    audit.record("volunteers.team_added", team, f"添加志愿队：{team.name}")
    return team
