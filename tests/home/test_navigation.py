"""The main navigation lists exactly the pages the user may open (policy.visible_pages), each of
which answers them 200, marks the current page, and folds behind a Menu button on a phone."""
import re
from datetime import timedelta

import pytest

from cxgov import policy
from cxgov.db import today
from cxgov.extensions import db
from cxgov.models import User
from tests import factories
from tests.home.conftest import region

EVERYONE = ["/", "/committees", "/meetings", "/my/action-items", "/journeys", "/initiatives", "/decisions",
            "/notifications"]
EXPECTED = {
    "admin": EVERYONE + ["/ambassadors/network", "/reports/roi", "/admin/users", "/audit"],
    "cx_leader": EVERYONE + ["/ambassadors/network", "/reports/roi", "/audit"],
    "executive": EVERYONE + ["/ambassadors/network", "/reports/roi"],
    "member": EVERYONE,
    "ambassador": EVERYONE + ["/ambassadors/log", "/ambassadors/me", "/ambassadors/network"],
    "journey_owner": EVERYONE,
}


def nav_hrefs(html):
    return re.findall(r'<a href="([^"]+)"', region(html, "main-nav").split("</nav>")[0])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_navigation_lists_what_the_person_may_open_and_each_link_answers_200(app, persona, name):
    client = persona(name)
    hrefs = nav_hrefs(client.get("/").get_data(as_text=True))
    assert sorted(hrefs) == sorted(EXPECTED[name])
    for href in hrefs:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("name", ["member", "journey_owner"])
def test_the_network_page_is_neither_listed_nor_open_to_a_member_who_is_no_ambassador(app, persona, name):
    client = persona(name)
    assert "/ambassadors/network" not in nav_hrefs(client.get("/").get_data(as_text=True))
    assert client.get("/ambassadors/network").status_code == 403


def test_an_ended_assignment_takes_the_ambassador_pages_out_of_the_navigation(app, persona):
    client = persona("member")
    with app.app_context():
        factories.create_ambassador(user=db.session.get(User, client.user_id), started_on=today() - timedelta(days=90),
                                    ended_on=today() - timedelta(days=1))
    hrefs = nav_hrefs(client.get("/").get_data(as_text=True))
    assert not {"/ambassadors/log", "/ambassadors/me", "/ambassadors/network"} & set(hrefs)
    assert client.get("/ambassadors/network").status_code == 403


def test_visible_pages_follows_the_policy_rules(app):
    with app.app_context():
        member = factories.create_user(role="member")
        ambassador = factories.create_user(role="member")
        factories.create_ambassador(user=ambassador)
        executive = factories.create_user(role="executive")
        assert "ambassadors.network" not in policy.visible_pages(member)
        assert {"ambassadors.network", "ambassadors.log_action"} <= set(policy.visible_pages(ambassador))
        assert "roi.report" not in policy.visible_pages(ambassador)
        assert "ambassadors.log_action" not in policy.visible_pages(executive)
        for user in (member, ambassador, executive):
            for endpoint in policy.visible_pages(user):
                rule = dict(policy.PAGES)[endpoint]
                assert rule(user), endpoint
        assert policy.visible_pages(None) == []


def test_the_current_page_is_marked(app, persona):
    client = persona("cx_leader")
    with app.app_context():
        meeting_id = factories.create_meeting(title="December steering").id

    def current(path):
        nav = region(client.get(path).get_data(as_text=True), "main-nav")
        return re.findall(r'<a href="([^"]+)" aria-current="(\w+)"', nav)

    assert current("/") == [("/", "page")]
    assert current("/meetings") == [("/meetings", "page")]
    assert current(f"/meetings/{meeting_id}") == [("/meetings", "true")]  # a page within Meetings
    assert current("/reports/roi") == [("/reports/roi", "page")]
    assert current("/notifications") == [("/notifications", "page")]


def test_the_phone_menu_is_a_checkbox_and_label_without_script(app, persona):
    html = persona("member").get("/").get_data(as_text=True)
    assert '<input type="checkbox" id="nav-toggle"' in html
    assert '<label for="nav-toggle" class="nav-toggle-label">Menu</label>' in html
    assert "<script" not in html
