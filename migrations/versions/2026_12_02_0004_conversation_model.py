"""A conversation keeps the model picked for it (NULL: the server's default at the time of each reply).

Revision ID: 0004_conversation_model
Revises: 0003_conversation_tools
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_conversation_model"
down_revision = "0003_conversation_tools"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (no batch copy: messages_fts keeps pointing at the same rows)
    op.add_column("conversations", sa.Column("model", sa.String(200), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("Restore a backup taken before upgrading.")
