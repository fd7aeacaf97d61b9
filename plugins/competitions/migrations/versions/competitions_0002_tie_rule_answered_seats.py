"""award tie rule, answered questions per attempt, live quiz seats

Revision ID: competitions_0002
Revises: competitions_0001
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'competitions_0002'
down_revision = 'competitions_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competitions_award_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tie_rule', sa.String(length=20), server_default='all_tied', nullable=False))
        batch_op.add_column(sa.Column('result_note', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('competitions_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('participated', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Attempts finished before this revision: count their answers; taking part means at least
    # half the drawn questions answered (core.signals.contest_participated).
    op.execute(
        "UPDATE competitions_attempt SET answered = (SELECT count(*) FROM competitions_answer"
        " WHERE competitions_answer.attempt_id = competitions_attempt.id)"
        " WHERE finished_at IS NOT NULL"
    )
    op.execute(
        "UPDATE competitions_attempt SET participated = (answered > 0"
        " AND 2 * answered >= json_array_length(drawn))"
        " WHERE finished_at IS NOT NULL"
    )

    # A second phone with the same name and village gets seat 2 instead of the first one's seat.
    with op.batch_alter_table('competitions_live_participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seat', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint('uq_competitions_live_name', type_='unique')
        batch_op.create_unique_constraint('uq_competitions_live_seat', ['session_id', 'name', 'village_id', 'seat'])


def downgrade():
    # Seats beyond the first have no place in the old one-seat-per-name schema.
    op.execute(
        "DELETE FROM competitions_live_answer WHERE participant_id IN"
        " (SELECT id FROM competitions_live_participant WHERE seat > 1)"
    )
    op.execute("DELETE FROM competitions_live_participant WHERE seat > 1")
    with op.batch_alter_table('competitions_live_participant', schema=None) as batch_op:
        batch_op.drop_constraint('uq_competitions_live_seat', type_='unique')
        batch_op.create_unique_constraint('uq_competitions_live_name', ['session_id', 'name', 'village_id'])
        batch_op.drop_column('seat')

    with op.batch_alter_table('competitions_attempt', schema=None) as batch_op:
        batch_op.drop_column('participated')
        batch_op.drop_column('answered')

    with op.batch_alter_table('competitions_award_round', schema=None) as batch_op:
        batch_op.drop_column('result_note')
        batch_op.drop_column('tie_rule')
