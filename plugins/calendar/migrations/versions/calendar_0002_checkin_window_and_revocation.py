"""check-in window, walk-ins, late entries and revoked attendance

Revision ID: calendar_0002
Revises: calendar_0001
Create Date: 2026-11-30 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'calendar_0002'
down_revision = 'calendar_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_ins', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('checkin_opens_before', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checkin_closes_after', sa.Integer(), nullable=True))

    with op.batch_alter_table('calendar_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_calendar_attendance_revoked_by_id_user_account'), 'user_account', ['revoked_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('calendar_attendance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calendar_attendance_revoked_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('late_reason')

    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.drop_column('checkin_closes_after')
        batch_op.drop_column('checkin_opens_before')
        batch_op.drop_column('walk_ins')
