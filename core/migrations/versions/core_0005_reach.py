"""reach villagers: message kinds, crash-safe outbox columns, channel preferences,
verification codes, WeChat bindings

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-11-29 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=30), server_default="general", nullable=False)
        )
    with op.batch_alter_table("notification_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("error_code", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("provider_ref", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("fee", sa.Integer(), nullable=True))
        batch_op.create_index("ix_notification_delivery_due", ["status", "next_attempt_at"])
        batch_op.create_index(batch_op.f("ix_notification_delivery_handed_at"), ["handed_at"])
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channels", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_preference_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint(
            "user_id", "kind", name=op.f("uq_notification_preference_user_id_kind")
        ),
    )
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_preference_user_id"), ["user_id"])
    op.create_table(
        "verification_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_code")),
    )
    with op.batch_alter_table("verification_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verification_code_phone"), ["phone"])
        batch_op.create_index(batch_op.f("ix_verification_code_ip"), ["ip"])
        batch_op.create_index(batch_op.f("ix_verification_code_created_at"), ["created_at"])
    op.create_table(
        "wechat_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_wechat_binding_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_binding")),
        sa.UniqueConstraint("openid", name=op.f("uq_wechat_binding_openid")),
        sa.UniqueConstraint("user_id", name=op.f("uq_wechat_binding_user_id")),
    )


def downgrade():
    op.drop_table("wechat_binding")
    with op.batch_alter_table("verification_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_code_created_at"))
        batch_op.drop_index(batch_op.f("ix_verification_code_ip"))
        batch_op.drop_index(batch_op.f("ix_verification_code_phone"))
    op.drop_table("verification_code")
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_preference_user_id"))
    op.drop_table("notification_preference")
    with op.batch_alter_table("notification_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_delivery_handed_at"))
        batch_op.drop_index("ix_notification_delivery_due")
        for column in (
            "fee",
            "provider_ref",
            "handed_at",
            "claimed_until",
            "claimed_by",
            "error_code",
            "address",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("kind")
