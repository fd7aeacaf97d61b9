"""代报名 records the villager's village

Revision ID: calendar_0003
Revises: calendar_0002
Create Date: 2026-11-29 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'calendar_0003'
down_revision = 'calendar_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calendar_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proxy_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_calendar_registration_proxy_unit_id_org_unit'), 'org_unit', ['proxy_unit_id'], ['id'])


def downgrade():
    with op.batch_alter_table('calendar_registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calendar_registration_proxy_unit_id_org_unit'), type_='foreignkey')
        batch_op.drop_column('proxy_unit_id')
