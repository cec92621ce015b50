"""Chat with files: attachments (the bytes, the extracted text per page, the Gemini Files API copy),
which user message each was sent with, and the citations a reply carries.

Revision ID: 0006_attachments
Revises: 0004_conversation_model
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_attachments"
down_revision = "0004_conversation_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("extraction", sa.Text(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("gemini_file_uri", sa.String(500), nullable=True),
        sa.Column("gemini_file_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="attachments_user_id_fkey", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], name="attachments_conversation_id_fkey",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="attachments_pkey"),
    )
    op.create_index("ix_attachments_user_created", "attachments", ["user_id", "created_at"])
    op.create_index("ix_attachments_conversation_id", "attachments", ["conversation_id"])
    op.create_table(
        "message_attachments",
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("attachment_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name="message_attachments_message_id_fkey",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"], name="message_attachments_attachment_id_fkey",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id", "attachment_id", name="message_attachments_pkey"),
    )
    op.create_index("ix_message_attachments_attachment_id", "message_attachments", ["attachment_id"])
    # a plain ADD COLUMN on both databases (no batch copy: messages_fts keeps pointing at the same rows)
    op.add_column("messages", sa.Column("citations", sa.Text(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("Restore a backup taken before upgrading.")
