"""Retrieval over attachments: one row per indexed attachment (its embedding model and version) and its
chunks (page, text, tokens, content hash, float32 vector bytes). Both go with their attachment (ON DELETE
CASCADE; SQLite enforces it through the foreign_keys pragma in assistant/db.py).

Revision ID: 0007_retrieval_chunks
Revises: 0006_attachments
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_retrieval_chunks"
down_revision = "0006_attachments"
branch_labels = None
depends_on = None

CHUNK_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


def upgrade() -> None:
    op.create_table(
        "retrieval_documents",
        sa.Column("attachment_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("dims", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"], name="retrieval_documents_attachment_id_fkey",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="retrieval_documents_user_id_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("attachment_id", name="retrieval_documents_pkey"),
    )
    op.create_index("ix_retrieval_documents_user_id", "retrieval_documents", ["user_id"])
    op.create_table(
        "retrieval_chunks",
        sa.Column("id", CHUNK_ID, autoincrement=True, nullable=False),
        sa.Column("attachment_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"], name="retrieval_chunks_attachment_id_fkey",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="retrieval_chunks_user_id_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="retrieval_chunks_pkey"),
    )
    op.create_index("ix_retrieval_chunks_attachment_position", "retrieval_chunks", ["attachment_id", "position"])
    op.create_index("ix_retrieval_chunks_user_id", "retrieval_chunks", ["user_id"])


def downgrade() -> None:
    raise NotImplementedError("Restore a backup taken before upgrading.")
