"""calls on a calendar (issue 24)

`availability`, `availability_window` and `blocked_day`: when a helper takes
calls, in their own time zone; `booked_slot`: their time held for an
engagement (a unique start per helper); `calendar_feed`: the hashed secret of
a member's private .ics feed; `call_reminder`: reminders sent, once each.
`listing.duration_minutes` makes an offer a call; `engagement` gains the
agreed time, the cancellation window and the invite's SEQUENCE. New tables
and nullable or defaulted columns: nothing is backfilled.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 16:44:01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('availability',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('min_notice_hours', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('cancel_free_hours', sa.Integer(), nullable=False),
    sa.Column('meeting_link', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id')
    )
    op.create_table('availability_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute', name='ck_availability_window_order'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('availability_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_window_member_id'), ['member_id'], unique=False)

    op.create_table('blocked_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'day', name='uq_blocked_day')
    )
    op.create_table('calendar_feed',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('booked_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('helper_id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['asker_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['helper_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('helper_id', 'starts_at', name='uq_booked_slot_start')
    )
    with op.batch_alter_table('booked_slot', schema=None) as batch_op:
        batch_op.create_index('ix_booked_slot_asker', ['asker_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booked_slot_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index('ix_booked_slot_helper', ['helper_id', 'starts_at'], unique=False)

    op.create_table('call_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('lead', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('engagement_id', 'lead', 'starts_at', name='uq_call_reminder')
    )
    with op.batch_alter_table('call_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_reminder_engagement_id'), ['engagement_id'], unique=False)

    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_free_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invite_sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_engagement_starts_at'), ['starts_at'], unique=False)

    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration_minutes', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_column('duration_minutes')

    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_starts_at'))
        batch_op.drop_column('invite_sequence')
        batch_op.drop_column('cancel_free_hours')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('starts_at')

    with op.batch_alter_table('call_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_reminder_engagement_id'))

    op.drop_table('call_reminder')
    with op.batch_alter_table('booked_slot', schema=None) as batch_op:
        batch_op.drop_index('ix_booked_slot_helper')
        batch_op.drop_index(batch_op.f('ix_booked_slot_engagement_id'))
        batch_op.drop_index('ix_booked_slot_asker')

    op.drop_table('booked_slot')
    op.drop_table('calendar_feed')
    op.drop_table('blocked_day')
    with op.batch_alter_table('availability_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_window_member_id'))

    op.drop_table('availability_window')
    op.drop_table('availability')
