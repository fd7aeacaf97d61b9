"""群众点单: residents' wishes for lectures or services

Revision ID: lecturers_0003
Revises: lecturers_0002
Create Date: 2026-11-29 17:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lecturers_0003"
down_revision = "lecturers_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lecturers_resident_wish",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("wish", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_lecturers_resident_wish_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_unit.id"],
            name=op.f("fk_lecturers_resident_wish_org_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["lecturers_request.id"],
            name=op.f("fk_lecturers_resident_wish_request_id_lecturers_request"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["lecturers_topic.id"],
            name=op.f("fk_lecturers_resident_wish_topic_id_lecturers_topic"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lecturers_resident_wish_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lecturers_resident_wish")),
    )
    with op.batch_alter_table("lecturers_resident_wish", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lecturers_resident_wish_org_unit_id"), ["org_unit_id"])
        batch_op.create_index(batch_op.f("ix_lecturers_resident_wish_request_id"), ["request_id"])
        batch_op.create_index(batch_op.f("ix_lecturers_resident_wish_state"), ["state"])
        batch_op.create_index(batch_op.f("ix_lecturers_resident_wish_user_id"), ["user_id"])


def downgrade():
    with op.batch_alter_table("lecturers_resident_wish", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_user_id"))
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_state"))
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_request_id"))
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_org_unit_id"))
    op.drop_table("lecturers_resident_wish")
