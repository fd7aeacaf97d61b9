"""群众点单 and 群众评单: residents' wishes, lecture check-ins, attendee ratings

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


    op.create_table(
        "lecturers_attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["lecturers_request.id"],
            name=op.f("fk_lecturers_attendee_request_id_lecturers_request"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_lecturers_attendee_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lecturers_attendee")),
        sa.UniqueConstraint(
            "request_id", "user_id", name=op.f("uq_lecturers_attendee_request_id_user_id")
        ),
    )
    with op.batch_alter_table("lecturers_attendee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lecturers_attendee_request_id"), ["request_id"])
        batch_op.create_index(batch_op.f("ix_lecturers_attendee_user_id"), ["user_id"])
    op.create_table(
        "lecturers_attendee_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lecturer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lecturer_id"],
            ["lecturers_lecturer.id"],
            name=op.f("fk_lecturers_attendee_rating_lecturer_id_lecturers_lecturer"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["lecturers_request.id"],
            name=op.f("fk_lecturers_attendee_rating_request_id_lecturers_request"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lecturers_attendee_rating_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lecturers_attendee_rating")),
        sa.UniqueConstraint(
            "request_id", "user_id", name=op.f("uq_lecturers_attendee_rating_request_id_user_id")
        ),
    )
    with op.batch_alter_table("lecturers_attendee_rating", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lecturers_attendee_rating_lecturer_id"), ["lecturer_id"]
        )
        batch_op.create_index(batch_op.f("ix_lecturers_attendee_rating_request_id"), ["request_id"])


def downgrade():
    op.drop_table("lecturers_attendee_rating")
    op.drop_table("lecturers_attendee")
    with op.batch_alter_table("lecturers_resident_wish", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_user_id"))
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_state"))
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_request_id"))
        batch_op.drop_index(batch_op.f("ix_lecturers_resident_wish_org_unit_id"))
    op.drop_table("lecturers_resident_wish")
