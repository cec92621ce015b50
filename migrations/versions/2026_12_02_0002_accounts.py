"""Accounts: users, sign-in sessions and API tokens, invite and reset codes, shared rate-limit
counters; every conversation and usage row gets its owner.

Rows written before accounts existed are kept and marked as unclaimed (conversations: NULL owner;
usage: user "legacy"); creating the first administrator hands them to that administrator.
The usage rollups are re-keyed by user, so a user's dashboard and the per-user breakdown come
from the same small tables as before.

Revision ID: 0002_accounts
Revises: 0001_baseline
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_accounts"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("username_key", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("daily_request_limit", sa.Integer(), nullable=True),
        sa.Column("daily_token_limit", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="users_pkey"),
        sa.UniqueConstraint("username_key", name="users_username_key_key"),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_used_at", TZ, nullable=True),
        sa.Column("expires_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="auth_tokens_user_id_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="auth_tokens_pkey"),
        sa.UniqueConstraint("token_hash", name="auth_tokens_token_hash_key"),
    )
    op.create_index("ix_auth_tokens_user_id", "auth_tokens", ["user_id"])
    op.create_table(
        "auth_codes",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(32), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="auth_codes_user_id_fkey", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="auth_codes_created_by_fkey", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="auth_codes_pkey"),
        sa.UniqueConstraint("code_hash", name="auth_codes_code_hash_key"),
    )
    op.create_index("ix_auth_codes_user_id", "auth_codes", ["user_id"])
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="rate_limits_pkey"),
    )

    # SQLite copies the table to add a foreign key (assistant.migrate turns foreign keys off meanwhile,
    # so dropping the old copy cannot cascade into messages).
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("user_id", sa.String(32), nullable=True))
        batch.create_foreign_key("conversations_user_id_fkey", "users", ["user_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_conversations_user_updated", "conversations", ["user_id", "updated_at"])

    with op.batch_alter_table("usage_events") as batch:
        batch.add_column(sa.Column("user_id", sa.String(32), nullable=False, server_default=""))
    op.execute("UPDATE usage_events SET user_id = 'legacy'")
    op.create_index("ix_usage_events_user_at", "usage_events", ["user_id", "at_ms"])

    _rekey_by_user("usage_rollups", [
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("feature", sa.String(32), nullable=False),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(40), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("bytes_in", sa.BigInteger(), nullable=False),
        sa.Column("latency_ms_sum", sa.BigInteger(), nullable=False),
    ], ["span", "start", "user_id", "feature", "engine", "model", "status", "error_code"])
    _rekey_by_user("usage_latency", [
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("feature", sa.String(32), nullable=False),
        sa.Column("le_ms", sa.Integer(), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
    ], ["span", "feature", "le_ms", "start", "user_id"])


def _rekey_by_user(table: str, columns: list[sa.Column], key: list[str]) -> None:
    """A new primary key means a new table: create it beside the old one, copy (owner "legacy"), swap."""
    old = f"{table}_old"
    op.rename_table(table, old)
    if op.get_bind().dialect.name == "postgresql":  # the old key's name would clash with the new one's
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {table}_pkey TO {old}_pkey")
    op.create_table(table, *columns, sa.PrimaryKeyConstraint(*key, name=f"{table}_pkey"), sqlite_with_rowid=False)
    names = [c.name for c in columns if c.name != "user_id"]
    listed = ", ".join(names)
    op.execute(f"INSERT INTO {table} ({listed}, user_id) SELECT {listed}, 'legacy' FROM {old}")
    op.drop_table(old)


def downgrade() -> None:
    raise NotImplementedError("Accounts cannot be migrated away automatically: restore a backup taken before upgrading.")
