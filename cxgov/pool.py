"""A pooled PostgreSQL connection is checked before use only when it has been idle.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` at every checkout. On a hot read that is one round
trip of three: a quarter of the request's time. A connection that was in use a moment ago is as
alive as a ping would show. A connection that has been idle for `CXGOV_DB_PING_IDLE_SECONDS`
(default 5) may have been dropped in between (a restart, a failover, an idle timeout), so it is
pinged, and a dead one is replaced before the request sees it: the pool connects again when its
checkout listener raises `DisconnectionError`.

A connection that dies within that window fails the request's first statement. SQLAlchemy then
marks the connection invalid and replaces every pooled connection older than the failure. The
request answers 503 with Retry-After (`cxgov.errors`), and the next request is served.

SQLite needs neither: a local file cannot drop a connection."""
import time

from sqlalchemy import event, exc

IDLE_SINCE = "cxgov_idle_since"
clock = time.monotonic  # tests move it forward instead of sleeping


def ping_after_idle(engine, idle_seconds):
    """Install the check on `engine`'s pool: a connection idle for `idle_seconds` or more is
    pinged at checkout, and replaced if the ping fails."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def note_idle(dbapi_connection, record):
        if dbapi_connection is not None:
            record.info[IDLE_SINCE] = clock()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, proxy):
        since = record.info.pop(IDLE_SINCE, None)
        if since is None or clock() - since < idle_seconds:
            return  # a new connection, or one in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the idle connection was dropped") from error
