-- deploy/postgres-roles.sql — run once as the postgres superuser: psql -v ON_ERROR_STOP=1 -f postgres-roles.sql
-- xinfang_owner owns the database and its tables and runs the migrations (MIGRATION_DATABASE_URL); xinfang_app,
-- the role the portal connects as (DATABASE_URL), owns nothing: it reads and writes rows, never changes the schema,
-- and on audit_log may only insert and seal (the trigger installed by the audit migration refuses the rest).
CREATE ROLE xinfang_owner LOGIN PASSWORD 'CHANGE-ME';
CREATE ROLE xinfang_app LOGIN PASSWORD 'CHANGE-ME';
CREATE DATABASE xinfang OWNER xinfang_owner ENCODING 'UTF8' TEMPLATE template0;
\connect xinfang
REVOKE ALL ON DATABASE xinfang FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE xinfang TO xinfang_app;
GRANT USAGE ON SCHEMA public TO xinfang_app;
-- Every table and sequence the owner creates from now on (each migration) is usable by the app role:
ALTER DEFAULT PRIVILEGES FOR ROLE xinfang_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO xinfang_app;
ALTER DEFAULT PRIVILEGES FOR ROLE xinfang_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO xinfang_app;

-- After the first `flask db upgrade` (run as xinfang_owner) narrow the audit log, as its migration says:
--   \connect xinfang
--   REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM xinfang_app;
--   GRANT UPDATE (seq, prev_hash, hash) ON audit_log TO xinfang_app;
-- and after a `flask restore` (objects then belong to the restoring role, without privileges) grant again:
--   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO xinfang_app;
--   GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO xinfang_app;
--   (then the two audit_log statements above)
