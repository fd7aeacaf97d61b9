"""idempotency_key (a retried form post says "already done"); audit_log.org_unit_id (a town's
admin sees only their town's audit rows; older rows have none and stay for the top admins)

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-29 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_idempotency_key_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("key", "user_id", name=op.f("uq_idempotency_key_key_user_id")),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_key_created_at"), ["created_at"], unique=False
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_unit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_org_unit_id_org_unit"), "org_unit", ["org_unit_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_log_org_unit_id_org_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_log_org_unit_id"))
        batch_op.drop_column("org_unit_id")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_key_created_at"))
    op.drop_table("idempotency_key")
