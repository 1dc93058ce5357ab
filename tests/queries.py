"""The SQL statements a piece of work sends, for the lists' and reports' constant-query promises."""
from contextlib import contextmanager

from sqlalchemy import event

from cxgov.extensions import db


@contextmanager
def recorded_statements(app):
    """The statements sent while the block runs, in order (a list that grows as they are sent)."""
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count_statements(app, action):
    """How many SQL statements `action()` makes the app run; the response must be a 200."""
    with recorded_statements(app) as statements:
        response = action()
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert statements, "no SQL statement recorded: the count would prove nothing"
    return len(statements)
