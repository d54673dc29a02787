"""your network from elsewhere (issue 23)

`contact` and `contact_address`: a member's private address book, imported
from LinkedIn's Connections.csv, vCards or Google Contacts, with canonical
emails and phones for merging and matching; `invitation`: who a member
invited, once per address, with a hashed link token; `logged_interaction`:
coffee, calls, emails, WhatsApp and events logged about a member or a
contact; `person_note`: a member's private notes about a person. All new
tables: nothing is backfilled.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('company', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('source_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('connected_on', sa.Date(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('warmth', sa.Float(), nullable=False),
    sa.Column('warmth_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner_id', 'source_key', name='uq_contact_source')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_contact_owner_name', ['owner_id', 'name'], unique=False)

    op.create_table('contact_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contact_id', 'kind', 'value', name='uq_contact_address')
    )
    with op.batch_alter_table('contact_address', schema=None) as batch_op:
        batch_op.create_index('ix_contact_address_owner', ['owner_id', 'kind', 'value'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('email_canonical', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('joined_member_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inviter_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['joined_member_id'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('inviter_id', 'email_canonical', name='uq_invitation_once'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index('ix_invitation_sent', ['inviter_id', 'created_at'], unique=False)

    op.create_table('logged_interaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(member_id IS NULL) <> (contact_id IS NULL)', name='ck_logged_interaction_one_person'),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('logged_interaction', schema=None) as batch_op:
        batch_op.create_index('ix_logged_interaction_author', ['author_id', 'happened_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_logged_interaction_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_logged_interaction_member_id'), ['member_id'], unique=False)

    op.create_table('person_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(member_id IS NULL) <> (contact_id IS NULL)', name='ck_person_note_one_person'),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person_note', schema=None) as batch_op:
        batch_op.create_index('ix_person_note_author', ['author_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_note_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_note_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('person_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_note_member_id'))
        batch_op.drop_index(batch_op.f('ix_person_note_contact_id'))
        batch_op.drop_index('ix_person_note_author')

    op.drop_table('person_note')
    with op.batch_alter_table('logged_interaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logged_interaction_member_id'))
        batch_op.drop_index(batch_op.f('ix_logged_interaction_contact_id'))
        batch_op.drop_index('ix_logged_interaction_author')

    op.drop_table('logged_interaction')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index('ix_invitation_sent')

    op.drop_table('invitation')
    with op.batch_alter_table('contact_address', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_address_owner')

    op.drop_table('contact_address')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_owner_name')
        batch_op.drop_index(batch_op.f('ix_contact_member_id'))

    op.drop_table('contact')
