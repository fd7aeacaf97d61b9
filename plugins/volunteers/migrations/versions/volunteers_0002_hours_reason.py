"""hours reason

Revision ID: volunteers_0002
Revises: volunteers_0001
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'volunteers_0002'
down_revision = 'volunteers_0001'
branch_labels = None
depends_on = None


def upgrade():
    # Why confirmed hours pass the bound (shift or check-in/out span plus 15 minutes).
    with op.batch_alter_table('volunteers_assignment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('hours_reason', sa.String(length=300), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('volunteers_assignment', schema=None) as batch_op:
        batch_op.drop_column('hours_reason')
