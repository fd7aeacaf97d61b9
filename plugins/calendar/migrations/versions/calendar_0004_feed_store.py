"""rendered VEVENTs per event and a version per calendar-entry source (feeds without rebuilds)

Revision ID: calendar_0004
Revises: calendar_0003
Create Date: 2026-11-29 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'calendar_0004'
down_revision = 'calendar_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_vevent',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('render_key', sa.String(length=200), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['calendar_event.id'], name=op.f('fk_calendar_vevent_event_id_calendar_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_calendar_vevent'))
    )
    op.create_table('calendar_source_version',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_calendar_source_version'))
    )


def downgrade():
    op.drop_table('calendar_source_version')
    op.drop_table('calendar_vevent')
