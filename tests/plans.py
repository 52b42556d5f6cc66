"""The database's plan for a statement, for the tests that prove an index serves a query."""

from portal.extensions import db


def query_plan(stmt) -> str:
    """The database's plan for ``stmt``. PostgreSQL is told to avoid sequential scans, so that on the small test
    data it shows which indexes *can* serve the query instead of reading the whole (tiny) table."""
    connection = db.session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
