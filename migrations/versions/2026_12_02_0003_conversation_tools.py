"""Conversation tools: messages form a tree (regenerate and edit make versions), conversations remember
the path last written to and whether their title was chosen by a person, share links, and full-text
search over message text (SQLite FTS5 with triggers; PostgreSQL a GIN index on to_tsvector).

Existing messages become a single path: each one's parent is the message before it.

Revision ID: 0003_conversation_tools
Revises: 0002_accounts
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_conversation_tools"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None

FTS = "messages_fts"


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("parent_id", sa.String(32), nullable=True))
        batch.create_foreign_key("messages_parent_id_fkey", "messages", ["parent_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_messages_parent_id", "messages", ["parent_id"])
    op.execute("""
        UPDATE messages SET parent_id = (
            SELECT p.id FROM messages p WHERE p.conversation_id = messages.conversation_id AND p.seq < messages.seq
            ORDER BY p.seq DESC LIMIT 1)
    """)
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("title_source", sa.String(8), nullable=False, server_default="auto"))
        batch.add_column(sa.Column("current_leaf_id", sa.String(32), nullable=True))
    op.create_table(
        "shares",
        sa.Column("id", sa.String(43), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="shares_user_id_fkey", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], name="shares_conversation_id_fkey",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="shares_pkey"),
    )
    op.create_index("ix_shares_user_id", "shares", ["user_id"])
    op.create_index("ix_shares_conversation_id", "shares", ["conversation_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_messages_content_fts ON messages USING gin (to_tsvector('simple', content))")
    else:
        # An external-content FTS5 index over messages.content, kept in step by triggers.
        op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(content, content='messages', content_rowid='rowid', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"INSERT INTO {FTS}(rowid, content) SELECT rowid, content FROM messages")
        op.execute(f"""CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO {FTS}(rowid, content) VALUES (new.rowid, new.content); END""")
        op.execute(f"""CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO {FTS}({FTS}, rowid, content) VALUES ('delete', old.rowid, old.content); END""")
        op.execute(f"""CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO {FTS}({FTS}, rowid, content) VALUES ('delete', old.rowid, old.content);
            INSERT INTO {FTS}(rowid, content) VALUES (new.rowid, new.content); END""")


def downgrade() -> None:
    raise NotImplementedError("Restore a backup taken before upgrading.")
