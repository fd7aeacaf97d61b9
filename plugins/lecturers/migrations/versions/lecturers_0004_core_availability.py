"""lecturers' weekly slots and blackout days move to core (one set per person)

Revision ID: lecturers_0004
Revises: lecturers_0003
Create Date: 2026-11-29 20:30:00

Rows are copied to core's user_availability / user_blackout under the lecturer's user; a person
who is also a volunteer keeps the union (the volunteers branch does the same, duplicates are
skipped whichever runs first). Slots that end before they start cannot be stated in core and
are dropped. The downgrade rebuilds the old tables from core's rows of every lecturer.
"""

import sqlalchemy as sa
from alembic import op

revision = "lecturers_0004"
down_revision = "lecturers_0003"
branch_labels = None
depends_on = "core_0007_availability"

OWNER = "lecturers_lecturer o ON o.id = x.lecturer_id"


def upgrade():
    op.execute(
        f"""
        INSERT INTO user_availability (user_id, weekday, start_time, end_time)
        SELECT DISTINCT o.user_id, x.weekday, x.start_time, x.end_time
        FROM lecturers_availability x JOIN {OWNER}
        WHERE x.end_time > x.start_time AND x.weekday BETWEEN 0 AND 6
          AND NOT EXISTS (
            SELECT 1 FROM user_availability u
            WHERE u.user_id = o.user_id AND u.weekday = x.weekday
              AND u.start_time = x.start_time AND u.end_time = x.end_time)
        """
    )
    # A day the volunteers branch brought first keeps its row; the lecturer's note fills it.
    op.execute(
        f"""
        UPDATE user_blackout SET note = (
            SELECT MAX(x.note) FROM lecturers_blackout x JOIN {OWNER}
            WHERE o.user_id = user_blackout.user_id AND x.day = user_blackout.day)
        WHERE note = '' AND EXISTS (
            SELECT 1 FROM lecturers_blackout x JOIN {OWNER}
            WHERE o.user_id = user_blackout.user_id AND x.day = user_blackout.day
              AND x.note <> '')
        """
    )
    op.execute(
        f"""
        INSERT INTO user_blackout (user_id, day, note)
        SELECT o.user_id, x.day, MAX(x.note)
        FROM lecturers_blackout x JOIN {OWNER}
        WHERE NOT EXISTS (
            SELECT 1 FROM user_blackout u WHERE u.user_id = o.user_id AND u.day = x.day)
        GROUP BY o.user_id, x.day
        """
    )
    with op.batch_alter_table("lecturers_blackout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lecturers_blackout_lecturer_id"))
        batch_op.drop_index(batch_op.f("ix_lecturers_blackout_day"))
    op.drop_table("lecturers_blackout")
    with op.batch_alter_table("lecturers_availability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lecturers_availability_lecturer_id"))
    op.drop_table("lecturers_availability")


def downgrade():
    op.create_table(
        "lecturers_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lecturer_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lecturer_id"],
            ["lecturers_lecturer.id"],
            name=op.f("fk_lecturers_availability_lecturer_id_lecturers_lecturer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lecturers_availability")),
    )
    with op.batch_alter_table("lecturers_availability", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lecturers_availability_lecturer_id"), ["lecturer_id"], unique=False
        )
    op.create_table(
        "lecturers_blackout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lecturer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["lecturer_id"],
            ["lecturers_lecturer.id"],
            name=op.f("fk_lecturers_blackout_lecturer_id_lecturers_lecturer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lecturers_blackout")),
        sa.UniqueConstraint("lecturer_id", "day", name=op.f("uq_lecturers_blackout_lecturer_id_day")),
    )
    with op.batch_alter_table("lecturers_blackout", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lecturers_blackout_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lecturers_blackout_lecturer_id"), ["lecturer_id"], unique=False
        )
    op.execute(
        """
        INSERT INTO lecturers_availability (lecturer_id, weekday, start_time, end_time)
        SELECT o.id, u.weekday, u.start_time, u.end_time
        FROM user_availability u JOIN lecturers_lecturer o ON o.user_id = u.user_id
        """
    )
    op.execute(
        """
        INSERT INTO lecturers_blackout (lecturer_id, day, note)
        SELECT o.id, u.day, u.note
        FROM user_blackout u JOIN lecturers_lecturer o ON o.user_id = u.user_id
        """
    )
