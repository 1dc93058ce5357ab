"""Counting SQL statements, for the reports' constant-query promise."""
from sqlalchemy import event

from cxgov.extensions import db


def count_statements(app, action):
    """How many SQL statements `action()` makes the app run."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = action()
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)
