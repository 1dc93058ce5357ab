"""Every page, at desktop and phone width, for every kind of user: no axe-core violations, and on
a phone every figure in a table or KPI tile is on screen without sideways scrolling.

The pages are enumerated from the app's URL map (GET routes that render HTML), their ids taken
from the demo organisation (`cxgov seed-demo`). One database and one server serve the whole
module; each role signs in once through /login and keeps its browser context. A page a role may
not open (401/403/404, or a redirect elsewhere) is skipped for that role. Each page is loaded
once per role and checked at both widths (the viewport is resized in place): at 1366 px as it
loads, at 390 px with every <details> opened, so what they hold is checked too.
"""
import hashlib
import re
import shutil
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from cxgov import create_app
from cxgov.db import utcnow
from cxgov.demo import DOMAIN, PASSWORD, seed_demo
from cxgov.extensions import db
from cxgov.models import (
    ActionItem,
    AgendaItem,
    Ambassador,
    AmbassadorAction,
    CashFlow,
    Committee,
    CommitteeMember,
    Decision,
    Department,
    Impact,
    ImportJob,
    Initiative,
    Journey,
    Meeting,
    Notification,
    PasswordSetLink,
    Stage,
    Target,
    Touchpoint,
    User,
)
from tests.conftest import _migrate
from tests.e2e import axe

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {1366: DESKTOP, 390: PHONE}

# Who looks at the pages: a demo user per role, plus the two roles that follow from the data.
ROLES = {
    "admin": "admin",
    "cx_leader": "lena.fischer",
    "executive": "ceo",
    "member": "leon.fuchs",
    "ambassador": "emma.klein",      # a member with an active ambassador assignment (Marketing)
    "journey_owner": "mehmet.yilmaz",  # a member who owns the "Home insurance claim" journey
    "anonymous": None,
}

# JSON for load balancers; the options of a datalist, fetched as one types in the meeting's
# initiative fields (the meeting page that holds them is checked).
NOT_PAGES = {"healthz", "initiatives.options"}
FILE = re.compile(r"\.[a-z0-9]+$")

# URL parameters with more than one interesting demo record: each variant is checked.
VARIANTS = {
    "meeting_id": ("held", "upcoming"),
    "initiative_id": ("approved", "delivered"),
    "decision_id": ("", "approval"),  # a decision's trace: the first of a held meeting; an approval traced on
}


def page_rules():
    """The rules of the GET routes that render pages, in URL order."""
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith("/api/") or rule.rule == "/api" or FILE.search(rule.rule):
            continue
        rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def page_cases():
    """(rule text, {parameter: variant}) for every page and variant of its parameters."""
    cases = []
    for rule in page_rules():
        choices = [{}]
        for argument in sorted(rule.arguments):
            variants = VARIANTS.get(argument, ("",))
            choices = [dict(choice, **{argument: variant}) for choice in choices for variant in variants]
        cases.extend((rule.rule, choice) for choice in choices)
    return cases


def case_id(rule, choice):
    labels = ",".join(v for v in choice.values() if v)
    return f"{rule}({labels})" if labels else rule


CASES = [(role, rule, choice, width) for role in ROLES for rule, choice in page_cases() for width in WIDTHS]


# -- the demo organisation, served once for the module ----------------------------------------

def _user(local):
    return db.session.scalar(select(User).where(User.email == f"{local}@{DOMAIN}"))


def _demo_ids():
    """{(parameter, variant): id} chosen from the demo organisation to show as much as possible."""
    emma, mehmet = _user("emma.klein"), _user("mehmet.yilmaz")
    now = utcnow()
    held = db.session.scalars(select(Meeting).where(Meeting.status == "held")
                              .order_by(Meeting.starts_at.desc())).first()
    upcoming = db.session.scalars(select(Meeting).where(Meeting.starts_at > now)
                                  .order_by(Meeting.starts_at)).first()
    approved = db.session.scalars(select(Initiative).where(Initiative.owner_id == emma.id)).first()
    delivered = db.session.scalars(select(Initiative).where(Initiative.status == "delivered")
                                   .order_by(Initiative.id)).first()
    committee = db.session.scalars(select(Committee)).first()
    ambassador = db.session.scalar(select(Ambassador).where(Ambassador.user_id == emma.id,
                                                            Ambassador.ended_on.is_(None)))
    # A finished background import of the journey owner's, for its progress page.
    job = ImportJob(created_by_id=mehmet.id, filename="kpis.csv", options={}, size_bytes=2048, lines=120,
                    status="done", counts={"rows": 120, "created": 100, "updated": 20, "unchanged": 0},
                    started_at=now, finished_at=now)
    db.session.add(job)
    # A live one-time "set your password" link (its page shows the form), for a person without one.
    newcomer = User(email=f"newcomer@{DOMAIN}", name="Nora Neu", role="member")
    db.session.add(newcomer)
    db.session.flush()
    # A meeting series of the committee (its page lists the meetings planned from the rule).
    from cxgov.steering.series import create_series
    leader = db.session.scalars(select(User).where(User.role == "cx_leader")).first()
    committee_ = db.session.scalars(select(Committee)).first()
    series = create_series(leader, committee_, {
        "title": "Quarterly CX review", "rrule": "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU;COUNT=4",
        "first_starts_at": now + timedelta(days=40), "duration_minutes": 60, "location": "Board room"})
    raw_link = "a-demo-set-password-link"
    db.session.add(PasswordSetLink(user_id=newcomer.id, token_hash=hashlib.sha256(raw_link.encode()).hexdigest(),
                                   expires_at=now + timedelta(days=3)))
    db.session.commit()
    return {
        ("token", ""): raw_link,
        ("job_id", ""): job.id,
        ("meeting_id", "held"): held.id,
        ("meeting_id", "upcoming"): upcoming.id,
        ("initiative_id", "approved"): approved.id,
        ("initiative_id", "delivered"): delivered.id,
        ("journey_id", ""): db.session.scalar(select(Journey.id).where(Journey.owner_id == mehmet.id)),
        ("stage_id", ""): db.session.scalars(select(Stage.id).join(Journey, Journey.id == Stage.journey_id)
                                             .where(Journey.owner_id == mehmet.id).order_by(Stage.position)).first(),
        ("touchpoint_id", ""): db.session.scalars(
            select(Touchpoint.id).join(Stage, Stage.id == Touchpoint.stage_id)
            .join(Journey, Journey.id == Stage.journey_id).where(Journey.owner_id == mehmet.id)).first(),
        # A stage target of the owner's journey (the demo's hourglass), for its editing page.
        ("target_id", ""): db.session.scalars(select(Target.id).join(Journey, Journey.id == Target.journey_id)
                                              .where(Journey.owner_id == mehmet.id)
                                              .order_by(Target.stage_id.is_(None), Target.id)).first(),
        ("committee_id", ""): committee.id,
        ("series_id", ""): series.id,
        ("member_id", ""): db.session.scalars(select(CommitteeMember.id).where(
            CommitteeMember.committee_id == committee.id, CommitteeMember.member_role == "member")).first(),
        ("ambassador_id", ""): ambassador.id,
        ("action_id", ""): db.session.scalars(select(AmbassadorAction.id).where(
            AmbassadorAction.ambassador_id == ambassador.id).order_by(AmbassadorAction.occurred_on.desc())).first(),
        ("cash_flow_id", ""): db.session.scalars(select(CashFlow.id).where(
            CashFlow.initiative_id == approved.id)).first(),
        ("impact_id", ""): db.session.scalars(select(Impact.id).where(Impact.initiative_id == approved.id)).first(),
        ("agenda_item_id", ""): db.session.scalars(select(AgendaItem.id).where(
            AgendaItem.meeting_id == upcoming.id)).first(),
        ("action_item_id", ""): db.session.scalars(select(ActionItem.id).where(
            ActionItem.status == "open", ActionItem.due_on < now.date())).first(),
        ("decision_id", ""): db.session.scalars(select(Decision.id).where(Decision.meeting_id == held.id)).first(),
        # The approval of the delivered initiative (its trace shows the whole loop), or any approval.
        ("decision_id", "approval"): db.session.scalars(select(Decision.id).where(
            Decision.kind == "approve_initiative").order_by((Decision.initiative_id == delivered.id).desc(),
                                                            Decision.id)).first(),
        ("notification_id", ""): db.session.scalars(select(Notification.id).order_by(Notification.id)).first(),
        ("user_id", ""): emma.id,
        ("department_id", ""): emma.department_id,
        ("journey_owner_id", ""): mehmet.id,
        ("department_code", ""): db.session.get(Department, emma.department_id).code,
    }


def resolve(rule, choice, ids):
    """The URL of a page case, or raise LookupError naming the parameter the demo has no id for."""
    values = {}
    for argument, variant in choice.items():
        key = (argument, variant)
        if argument == "item_id":  # an agenda item under a meeting, an action item elsewhere
            key = ("agenda_item_id" if "/meetings/" in rule else "action_item_id", "")
            if "/meetings/" in rule:
                meeting_id = values.get("meeting_id") or ids[("meeting_id", "upcoming")]
                values[argument] = db.session.scalars(select(AgendaItem.id).where(
                    AgendaItem.meeting_id == meeting_id)).first()
                continue
        if key not in ids or ids[key] is None:
            raise LookupError(f"the demo organisation gives no id for <{argument}> of {rule}: "
                              f"add one to _demo_ids() in {__name__}")
        values[argument] = ids[key]
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, database_template):
    """The demo organisation (with a round of reminders in the inboxes) served on 127.0.0.1.

    The module checks markup, not SQL: it always runs on its own SQLite file, also when the suite
    runs on PostgreSQL."""
    path = tmp_path_factory.mktemp("accessibility") / "demo.sqlite"
    if database_template["kind"] == "sqlite":
        shutil.copyfile(database_template["template"], path)
    else:
        _migrate(f"sqlite:///{path}")
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    from cxgov.notifications.jobs import run_job

    with app.app_context():
        seed_demo()
        db.session.commit()
        now = utcnow()
        for job in ("action-item-reminders", "ambassador-inactivity", "meeting-reminders"):
            run_job(job, now + timedelta(minutes=1))
        db.session.commit()
        ids = _demo_ids()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"app": app, "ids": ids, "url": f"http://127.0.0.1:{server.server_port}", "audits": {}}
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def pages(browser, demo):
    """`pages(role)` → that role's page, signed in once through /login, axe installed."""
    opened, contexts = {}, []

    def _page(role):
        if role not in opened:
            context = browser.new_context(viewport=DESKTOP)
            context.set_default_timeout(15_000)
            axe.install(context)
            contexts.append(context)
            page = context.new_page()
            if ROLES[role]:
                page.goto(f"{demo['url']}/login")
                page.fill("#email", f"{ROLES[role]}@{DOMAIN}")
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{demo['url']}/")
            opened[role] = page
        return opened[role]

    yield _page
    for context in contexts:
        context.close()


# Figures a phone user must see without scrolling sideways: every table cell and KPI value that
# is rendered (closed <details> are not), inside the viewport and not clipped by a scrolling box.
OFF_SCREEN = """(viewportWidth) => {
    const problems = [];
    const scrolling = document.scrollingElement.scrollWidth;
    if (scrolling > viewportWidth) problems.push(`the page is ${scrolling}px wide`);
    const describe = (el) => {
        const table = el.closest("table");
        const header = table && el.cellIndex !== undefined && table.tHead
            ? (table.tHead.rows[0].cells[el.cellIndex] || {}).textContent : "";
        return `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}"`
            + (header ? ` (column "${header.trim()}")` : "");
    };
    for (const el of document.querySelectorAll("main td, main .kpi .value")) {
        if (el.getClientRects().length === 0) continue;
        const box = el.getBoundingClientRect();
        let left = 0, right = viewportWidth;
        for (let up = el.parentElement; up; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") {
                const clip = up.getBoundingClientRect();
                left = Math.max(left, clip.left);
                right = Math.min(right, clip.right);
            }
        }
        if (box.left < left - 1 || box.right > right + 1) {
            problems.push(`${describe(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}px, `
                          + `visible ${Math.round(left)}..${Math.round(right)}px`);
        }
    }
    return problems;
}"""

# What axe has no rule for. Buttons (and <summary> toggles) that do different things have
# different accessible names ("End Emma Klein's assignment", not seven times "End"); every chart
# is an image with a name and a table of its numbers beside it; chart text is at least 11 px (an
# inline chart's: a chart shown as an <img> is checked for its name, its table and its loading).
CHECKS = """() => {
    const problems = [];
    const nameOf = (el) => {
        const labelledby = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
            .map((id) => (document.getElementById(id) || {}).textContent || "").join(" ");
        return (el.getAttribute("aria-label") || labelledby || (el.tagName === "INPUT" ? el.value : el.textContent))
            .replace(/\\s+/g, " ").trim();
    };
    const actions = new Map();
    document.querySelectorAll("button, input[type=submit], input[type=button], summary").forEach((el, index) => {
        const name = nameOf(el);
        if (!name) return;  // axe reports nameless buttons
        const form = el.form;
        const action = el.tagName === "SUMMARY" ? `summary ${index}`
            : `${el.getAttribute("formaction") || (form && form.getAttribute("action")) || ""} ${el.name}=${el.value}`;
        const key = name.toLowerCase();
        if (!actions.has(key)) actions.set(key, new Set());
        actions.get(key).add(action);
    });
    for (const [name, targets] of actions) {
        if (targets.size > 1) problems.push(`${targets.size} different buttons are all named "${name}"`);
    }
    document.querySelectorAll("main svg").forEach((svg) => {
        const what = `chart ${svg.getAttribute("aria-label") || svg.outerHTML.slice(0, 60)}`;
        if (svg.getAttribute("role") !== "img" || !nameOf(svg)) problems.push(`${what} is not an image with a name`);
        const figure = svg.closest("figure");
        if (!figure || !figure.querySelector("table")) problems.push(`${what} has no table of its numbers`);
        if (!svg.querySelector("text")) problems.push(`${what} draws its words as outlines, not text`);
        for (const text of svg.querySelectorAll("text")) {
            if (!text.getClientRects().length || !text.textContent.trim()) continue;
            const ctm = text.getScreenCTM();
            const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b);
            if (size < 10.95) {
                problems.push(`${what}: "${text.textContent.trim().slice(0, 30)}" is ${size.toFixed(1)} px`);
                break;
            }
        }
    });
    // A chart shown as an image of its own resource: named by its alternative text, drawn, with the
    // table of its numbers beside it in the page.
    document.querySelectorAll("main figure img").forEach((img) => {
        const what = `chart image ${img.getAttribute("src")}`;
        if (!(img.getAttribute("alt") || "").trim()) problems.push(`${what} has no alternative text`);
        if (!img.closest("figure").querySelector("table")) problems.push(`${what} has no table of its numbers`);
        if (img.complete && !img.naturalWidth) problems.push(`${what} did not load`);
    });
    return problems;
}"""


def audit(pages, demo, role, rule, choice):
    """{width: (path, axe violations, other problems)} for a page as `role` sees it, measured once;
    or why the role does not see it (a string), or what went wrong (an AssertionError)."""
    key = (role, rule, tuple(sorted(choice.items())))
    audits = demo["audits"]
    if key not in audits:
        with demo["app"].app_context():
            path = resolve(rule, choice, demo["ids"])
        page = pages(role)
        page.set_viewport_size(DESKTOP)
        response = page.goto(f"{demo['url']}{path}")
        if response.request.redirected_from is not None:
            audits[key] = f"{path} redirects {role} to {response.url.removeprefix(demo['url'])}"
        elif response.status in (401, 403, 404):
            audits[key] = f"{role} may not open {path} ({response.status})"
        elif response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            audits[key] = AssertionError(f"{path} answered {role} with {response.status} "
                                         f"{response.headers.get('content-type')}")
        else:
            results = {}
            for width, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                if width == 390:  # as loaded at desktop width; with every <details> open on the phone
                    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
                problems = page.evaluate(CHECKS) + (page.evaluate(OFF_SCREEN, width) if width == 390 else [])
                results[width] = (path, axe.run(page), problems)
            audits[key] = results
    return audits[key]


@pytest.mark.parametrize(
    ("role", "rule", "choice", "width"), CASES,
    ids=[f"{case_id(rule, choice)}-{width}-{role}" for role, rule, choice, width in CASES])
def test_every_page_is_accessible(pages, demo, role, rule, choice, width):
    result = audit(pages, demo, role, rule, choice)
    if isinstance(result, AssertionError):
        raise result
    if isinstance(result, str):
        pytest.skip(result)
    path, violations, problems = result[width]
    report = []
    if violations:
        report.append(f"axe found:\n{axe.describe(violations)}")
    if problems:
        report.append("and also:\n    " + "\n    ".join(problems))
    if report:
        pytest.fail(f"{path} at {width}px as {role}: " + "\n".join(report), pytrace=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_error_pages_are_accessible(pages, demo, width):
    page = pages("member")
    page.set_viewport_size(WIDTHS[width])
    for path, status in (("/no-such-page", 404), ("/ambassadors/network", 403)):
        response = page.goto(f"{demo['url']}{path}")
        assert response.status == status
        violations = axe.run(page)
        if violations:
            pytest.fail(f"axe found on the {status} page at {width}px:\n{axe.describe(violations)}", pytrace=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_keyboard_skips_to_the_content_and_sees_where_it_is(pages, demo, width):
    page = pages("cx_leader")
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{demo['url']}/reports/roi")
    page.keyboard.press("Tab")
    skip = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
        return {text: el.textContent.trim(), top: box.top, bottom: box.bottom, outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth)};
    }""")
    assert skip["text"] == "Skip to content"
    assert skip["top"] >= 0 and skip["bottom"] <= WIDTHS[width]["height"], "the focused skip link is on screen"
    assert skip["outline"] != "none" and skip["width"] >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {inMain: !!el.closest("main"), outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
    }""")
    assert focused == {"inMain": True, "outline": "solid", "width": 3}
