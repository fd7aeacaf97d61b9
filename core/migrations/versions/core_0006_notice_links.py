"""notice links as an endpoint and its values, resolved with url_for when delivered

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-11-29 20:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_endpoint", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("link_values", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("link_values")
        batch_op.drop_column("link_endpoint")
