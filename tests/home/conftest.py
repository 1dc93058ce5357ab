"""Helpers for the home page tests: the part of a page inside one element, found by its id."""
import html as html_module
import re
from datetime import timedelta

import pytest

from cxgov.db import today
from cxgov.extensions import db
from cxgov.models import User
from tests import factories


def region(html, element_id):
    """The HTML of the element with `element_id`, up to the end of the element of that tag."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"', html)
    assert match, f"no element #{element_id} on the page"
    tag = match.group(1)
    depth = 0
    for tag_match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[match.start():]):
        depth += -1 if tag_match.group(1) else 1
        if depth == 0:
            return html[match.start():match.start() + tag_match.end()]
    raise AssertionError(f"#{element_id} is not closed")


def text(html):
    """What a reader sees of some HTML: inline tags removed, other tags a space, white space collapsed."""
    inline = re.sub(r"</?(a|span|strong|em|abbr|time)\b[^>]*>", "", html)
    return html_module.unescape(" ".join(re.sub(r"<[^>]+>", " ", inline).split()))


@pytest.fixture
def persona(app, page_as):
    """`persona(name)` → a page client for each person the dashboard knows: admin, cx_leader,
    executive, member, ambassador (a member with an active assignment), journey_owner (a member
    who owns a journey). `client.user_id` is theirs."""

    def _make(name, **user_fields):
        role = name if name in ("admin", "cx_leader", "executive", "member") else "member"
        client = page_as(role, **user_fields)
        with app.app_context():
            user = db.session.get(User, client.user_id)
            if name == "ambassador":
                department = factories.create_department(name="Claims")
                user.department_id = department.id
                factories.create_ambassador(user=user, department=department, started_on=today() - timedelta(days=10))
            if name == "journey_owner":
                factories.create_journey(owner=user, name="Home insurance claim")
        return client

    return _make
