"""One-to-many relationships refuse to load themselves with a query: a list or a report that does not
say how it loads a collection fails here, in the tests, instead of sending one query per row."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import selectinload

from cxgov.db import Base, load
from cxgov.extensions import db
from cxgov.steering.models import Meeting
from tests import factories


def test_every_collection_is_declared_to_refuse_lazy_loads(app):
    collections = [relationship for mapper in Base.registry.mappers for relationship in mapper.relationships
                   if relationship.uselist]
    assert len(collections) >= 9
    assert [str(r) for r in collections if r.lazy != "raise_on_sql"] == []


def test_an_unloaded_collection_raises_and_the_explicit_ways_load_it(app):
    with app.app_context():
        meeting = factories.create_meeting()
        for title in ("Welcome", "Returns pilot"):
            factories.add_agenda_item(meeting, title=title)
        meeting_id = meeting.id
        db.session.expunge_all()

        meeting = db.session.get(Meeting, meeting_id)
        with pytest.raises(InvalidRequestError, match="raise_on_sql"):
            _ = meeting.agenda_items
        assert [item.title for item in load(meeting, "agenda_items").agenda_items] == ["Welcome", "Returns pilot"]

        db.session.expunge_all()
        listed = db.session.scalars(select(Meeting).options(selectinload(Meeting.agenda_items))).all()
        assert [len(m.agenda_items) for m in listed if m.id == meeting_id] == [2]
