"""The audit chain: audit_log gets success, seq, prev_hash and hash; on PostgreSQL a trigger makes it append-only.

Existing rows: ``success`` becomes true for all of them (until now only what happened was recorded; refusals
were not); ``seq``, ``prev_hash`` and ``hash`` stay empty, so the rows are unsealed and the first sealer
(``flask --app wsgi audit seal``, or the first commit that writes an audit row) chains them in id order. No row's
content changes.

On PostgreSQL the trigger ``audit_log_append_only`` refuses every UPDATE except the sealer's (setting seq, prev_hash
and hash on a row that has none, nothing else changed), every DELETE except inside ``flask audit archive`` (which
sets ``portal.audit_archive`` for its transaction, and only for sealed rows older than 180 days — the legal minimum
of 网络安全法 art.21, whatever AUDIT_RETENTION_DAYS says), and every TRUNCATE. The trigger stops mistakes and the
application's own role; the privileges stop the role from doing anything else. Run as the owner of the tables:

    REVOKE ALL ON audit_log FROM portal_app;
    GRANT SELECT, INSERT ON audit_log TO portal_app;
    GRANT UPDATE (seq, prev_hash, hash) ON audit_log TO portal_app;   -- the sealing update, and only it
    GRANT USAGE ON SEQUENCE audit_log_id_seq TO portal_app;
    -- `flask audit archive` runs as a role of its own, from the archive host's timer:
    GRANT SELECT, INSERT, DELETE ON audit_log TO portal_archive;
    GRANT UPDATE (seq, prev_hash, hash) ON audit_log TO portal_archive;

The application's role must not own audit_log (an owner can disable triggers); migrations run as the owner.
SQLite has no triggers of this kind here: the chain and the anchor file catch edits there.

downgrade drops the trigger and its function, then the four columns (the chain is lost; the rows stay).

Revision ID: a7c3e9d1f4b2
Revises: 6bfa602153b7
Create Date: 2026-12-02 11:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e9d1f4b2"
down_revision = "6bfa602153b7"
branch_labels = None
depends_on = None

INSTALL_TRIGGER = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.hash IS NULL AND OLD.seq IS NULL AND NEW.hash IS NOT NULL AND NEW.seq IS NOT NULL
           AND to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' = to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: row % may not be changed', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'DELETE' THEN
        IF current_setting('portal.audit_archive', true) = 'on' AND OLD.hash IS NOT NULL
           AND OLD.at < (now() AT TIME ZONE 'UTC') - interval '180 days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_log rows leave only through flask audit archive: row % stays', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'audit_log may not be truncated' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""

REMOVE_TRIGGER = """
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
DROP FUNCTION IF EXISTS audit_log_append_only();
"""


def upgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("success", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_seq"), ["seq"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(INSTALL_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REMOVE_TRIGGER)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_seq"))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("success")
