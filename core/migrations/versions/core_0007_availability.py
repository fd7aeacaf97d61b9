"""one availability per person: weekly slots and blackout days in core

Revision ID: core_0007_availability
Revises: core_0006 (core_0006_notice_links.py)
Create Date: 2026-11-29 20:30:00

The lecturers and volunteers branches copy their own rows in (their migrations depend on this).
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0007_availability"
down_revision = "core_0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_user_availability_weekday")),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_user_availability_order")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_availability_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_availability")),
        sa.UniqueConstraint(
            "user_id",
            "weekday",
            "start_time",
            "end_time",
            name=op.f("uq_user_availability_user_id_weekday_start_time_end_time"),
        ),
    )
    with op.batch_alter_table("user_availability", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_availability_user_id"), ["user_id"])
    op.create_table(
        "user_blackout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_blackout_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_blackout")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_user_blackout_user_id_day")),
    )
    with op.batch_alter_table("user_blackout", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_blackout_day"), ["day"])
        batch_op.create_index(batch_op.f("ix_user_blackout_user_id"), ["user_id"])


def downgrade():
    with op.batch_alter_table("user_blackout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_blackout_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_blackout_day"))
    op.drop_table("user_blackout")
    with op.batch_alter_table("user_availability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_availability_user_id"))
    op.drop_table("user_availability")
