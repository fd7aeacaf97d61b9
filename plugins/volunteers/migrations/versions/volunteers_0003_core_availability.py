"""volunteers' weekly windows and blackout days move to core (one set per person)

Revision ID: volunteers_0003
Revises: volunteers_0002
Create Date: 2026-11-29 20:30:00

Rows are copied to core's user_availability / user_blackout under the profile's user; a person
who is also a lecturer keeps the union (the lecturers branch does the same, duplicates are
skipped whichever runs first). The downgrade rebuilds the old tables from core's rows of every
volunteer profile.
"""

import sqlalchemy as sa
from alembic import op

revision = "volunteers_0003"
down_revision = "volunteers_0002"
branch_labels = None
depends_on = "core_0007_availability"

OWNER = "volunteers_profile o ON o.id = x.profile_id"


def upgrade():
    op.execute(
        f"""
        INSERT INTO user_availability (user_id, weekday, start_time, end_time)
        SELECT DISTINCT o.user_id, x.weekday, x.start_time, x.end_time
        FROM volunteers_availability x JOIN {OWNER}
        WHERE NOT EXISTS (
            SELECT 1 FROM user_availability u
            WHERE u.user_id = o.user_id AND u.weekday = x.weekday
              AND u.start_time = x.start_time AND u.end_time = x.end_time)
        """
    )
    op.execute(
        f"""
        INSERT INTO user_blackout (user_id, day, note)
        SELECT DISTINCT o.user_id, x.day, ''
        FROM volunteers_blackout x JOIN {OWNER}
        WHERE NOT EXISTS (
            SELECT 1 FROM user_blackout u WHERE u.user_id = o.user_id AND u.day = x.day)
        """
    )
    with op.batch_alter_table("volunteers_blackout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteers_blackout_profile_id"))
    op.drop_table("volunteers_blackout")
    with op.batch_alter_table("volunteers_availability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteers_availability_profile_id"))
    op.drop_table("volunteers_availability")


def downgrade():
    op.create_table(
        "volunteers_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint(
            "end_time > start_time", name=op.f("ck_volunteers_availability_ck_vol_avail_order")
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_volunteers_availability_ck_vol_avail_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["volunteers_profile.id"],
            name=op.f("fk_volunteers_availability_profile_id_volunteers_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers_availability")),
    )
    with op.batch_alter_table("volunteers_availability", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteers_availability_profile_id"), ["profile_id"], unique=False
        )
    op.create_table(
        "volunteers_blackout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["volunteers_profile.id"],
            name=op.f("fk_volunteers_blackout_profile_id_volunteers_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers_blackout")),
        sa.UniqueConstraint("profile_id", "day", name=op.f("uq_volunteers_blackout_profile_id_day")),
    )
    with op.batch_alter_table("volunteers_blackout", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteers_blackout_profile_id"), ["profile_id"], unique=False
        )
    op.execute(
        """
        INSERT INTO volunteers_availability (profile_id, weekday, start_time, end_time)
        SELECT o.id, u.weekday, u.start_time, u.end_time
        FROM user_availability u JOIN volunteers_profile o ON o.user_id = u.user_id
        """
    )
    op.execute(
        """
        INSERT INTO volunteers_blackout (profile_id, day)
        SELECT o.id, u.day FROM user_blackout u JOIN volunteers_profile o ON o.user_id = u.user_id
        """
    )
