"""`python -m bench.pages`: every page of cxgov against one database (DATABASE_URL in the
environment): its bytes, its SQL statements, and its median time served by gunicorn over HTTP
(bench.serve, as the other figures), next to its API counterpart, the API GET that returns the
same data, taken in turn with it run after run. A page that gathers several resources (a
meeting's agenda, attendance, decisions and action items) has as its counterpart the API GETs a
client needs for what it shows: their times, bytes and statements add up (`Page.more`; the first
GET alone is printed in a note). What the page shows in part (20 of the suggestions, one
department of the network report) and what has no API GET of its own is left out: the sum is less
than a client's whole cost, so the ratio is, if anything, unkind to the page.

Goals: a page takes at most 3x its API counterpart, and at most 300 ms. A page without a
counterpart (a form, the dashboard) has the 300 ms goal only.

Every GET route outside /api and /static is a page (`page_routes`); each is in PAGES (how to
fetch it, as whom, and its counterpart) or in SKIPPED (why not), which tests/test_bench_pages.py
holds to. Ids are picked from the database (`pick_ids`): the busiest journey, the held meeting
with the most agenda items and decisions, the initiative with the largest business case, the
department with the most initiatives, the CX leader, the Marketing ambassador and their latest action.

Statements are counted in this process (a test client, SQLAlchemy's before_cursor_execute), as
bench.measure counts them; bytes are the uncompressed bodies. Prints the table, then one JSON line
(the rows) for bench.__main__. BENCH_PAGE_RUNS (BENCH_RUNS, 5) runs after a warm-up; a page or API
whose warm-up takes over a second gets 3."""
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.common import RUNS

PAGE_RUNS = int(os.environ.get("BENCH_PAGE_RUNS", RUNS))
SLOW_RUNS = 3
GOAL_RATIO, GOAL_MS = 3.0, 300.0
PASSWORD = "demo-password-1"
PEOPLE = {"admin": "admin@demo.cxgov.example", "cx leader": "lena.fischer@demo.cxgov.example",
          "ambassador": "emma.klein@demo.cxgov.example"}


@dataclass(frozen=True)
class Page:
    rule: str  # the route, as app.url_map spells it
    path: str  # with {ids} from pick_ids
    person: str | None  # a key of PEOPLE, or None: signed out
    api: str | None = None  # the API GET returning the same data
    note: str = ""
    more: tuple[str, ...] = ()  # the other API GETs returning what the page shows, added to `api`


ADMIN, CX, AMBASSADOR = "admin", "cx leader", "ambassador"
PAGES = [
    Page("/", "/", CX, None, "the dashboard: several reports' headlines"),
    Page("/login", "/login", None),
    Page("/account", "/account", CX, "/api/users/me"),
    Page("/admin/departments", "/admin/departments", ADMIN, "/api/departments"),
    Page("/admin/departments/<int:department_id>", "/admin/departments/{department}", ADMIN,
         "/api/departments/{department}"),
    Page("/admin/users", "/admin/users", ADMIN, "/api/users"),
    Page("/admin/users/<int:user_id>", "/admin/users/{user}", ADMIN, "/api/users/{user}"),
    Page("/admin/users/new", "/admin/users/new", ADMIN),
    Page("/audit", "/audit", ADMIN, "/api/audit", "API: the trail and the people its filter offers",
         more=("/api/users",)),
    Page("/ambassadors/network", "/ambassadors/network", CX, "/api/reports/ambassadors"),
    Page("/ambassadors/<int:ambassador_id>", "/ambassadors/{ambassador}", CX, "/api/ambassadors/{ambassador}",
         "API: the ambassador and their actions; the health score comes only with the whole network's "
         "report, which is not counted",
         more=("/api/ambassador-actions?ambassador_id={ambassador}",)),
    Page("/ambassadors/me", "/ambassadors/me", AMBASSADOR, "/api/ambassadors/{ambassador}",
         "API: the ambassador and their actions; the score and its trend (only in the whole network's "
         "report), the ideas' fates and the journeys touched are not counted",
         more=("/api/ambassador-actions?ambassador_id={ambassador}",)),
    Page("/ambassadors/history", "/ambassadors/history", AMBASSADOR,
         "/api/ambassador-actions?ambassador_id={ambassador}"),
    Page("/ambassadors/log", "/ambassadors/log", AMBASSADOR),
    Page("/ambassadors/actions/<int:action_id>/edit", "/ambassadors/actions/{action}/edit", AMBASSADOR,
         "/api/ambassador-actions/{action}"),
    Page("/committees", "/committees", CX, "/api/committees"),
    Page("/committees/<int:committee_id>/series/new", "/committees/{committee}/series/new", CX),
    Page("/series/<int:series_id>", "/series/{series}", CX, "/api/series/{series}"),
    Page("/series/<int:series_id>/invite.ics", "/series/{series}/invite.ics", CX, "/api/series/{series}/invite.ics"),
    Page("/meetings", "/meetings", CX, "/api/meetings"),
    Page("/meetings/<int:meeting_id>", "/meetings/{meeting}", CX, "/api/meetings/{meeting}",
         "API: the meeting, its agenda, attendance, decisions, open action items, corrections and the "
         "committee's sections; the suggestions (the API lists every one, the page 20) and the gate's "
         "readiness of each proposal are not counted",
         more=("/api/meetings/{meeting}/agenda-items",
               "/api/meetings/{meeting}/attendance", "/api/meetings/{meeting}/decisions",
               "/api/action-items?status=open", "/api/meetings/{meeting}/minutes/corrections",
               "/api/committees/{committee}/sections")),
    Page("/meetings/<int:meeting_id>/edit", "/meetings/{upcoming}/edit", CX, "/api/meetings/{upcoming}",
         "a scheduled meeting: a held one is no longer edited"),
    Page("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", "/meetings/{upcoming}/agenda/{upcoming_item}/edit",
         CX, "/api/meetings/{upcoming}/agenda-items/{upcoming_item}",
         "API: the item, its meeting and the initiatives its field offers before anything is typed",
         more=("/api/meetings/{upcoming}", "/api/initiatives?page_size=20")),
    Page("/meetings/<int:meeting_id>/minutes", "/meetings/{meeting}/minutes", CX,
         "/api/meetings/{meeting}/decisions",
         "API: the decisions the minutes record, the meeting, attendance, agenda, action items, corrections",
         more=("/api/meetings/{meeting}", "/api/meetings/{meeting}/attendance", "/api/meetings/{meeting}/agenda-items",
               "/api/action-items?meeting_id={meeting}", "/api/meetings/{meeting}/minutes/corrections")),
    Page("/meetings/<int:meeting_id>/minutes.pdf", "/meetings/{meeting}/minutes.pdf", CX),
    Page("/meetings/<int:meeting_id>/pack.pdf", "/meetings/{meeting}/pack.pdf", CX, "/api/meetings/{meeting}/pack"),
    Page("/meetings/<int:meeting_id>/invite.ics", "/meetings/{meeting}/invite.ics", CX,
         "/api/meetings/{meeting}/invite.ics"),
    Page("/decisions", "/decisions", CX, "/api/decisions"),
    Page("/decisions/<int:decision_id>", "/decisions/{decision}", CX, "/api/decisions/{decision}/trace"),
    Page("/my/action-items", "/my/action-items", CX, "/api/action-items?owner_id={user}"),
    Page("/notifications", "/notifications", CX, "/api/notifications"),
    Page("/journeys", "/journeys", CX, "/api/journeys"),
    Page("/journeys/new", "/journeys/new", CX),
    Page("/journeys/upload", "/journeys/upload", CX),
    Page("/journeys/<int:journey_id>", "/journeys/{journey}", CX, "/api/reports/journeys/{journey}"),
    Page("/journeys/<int:journey_id>/edit", "/journeys/{journey}/edit", CX, "/api/journeys/{journey}",
         "API: the journey, its stages and its touchpoints",
         more=("/api/journeys/{journey}/stages", "/api/journeys/{journey}/touchpoints")),
    Page("/journeys/<int:journey_id>/measurements/new", "/journeys/{journey}/measurements/new", CX),
    Page("/journeys/<int:journey_id>/stages/<int:stage_id>/edit", "/journeys/{journey}/stages/{stage}/edit", CX,
         "/api/journeys/{journey}/stages/{stage}"),
    Page("/journeys/<int:journey_id>/targets/<int:target_id>/edit", "/journeys/{journey}/targets/{target}/edit",
         CX, "/api/journeys/{journey}/targets/{target}"),
    Page("/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/edit",
         "/journeys/{journey}/touchpoints/{touchpoint}/edit", CX, "/api/journeys/{journey}/touchpoints/{touchpoint}"),
    Page("/initiatives", "/initiatives", CX, "/api/initiatives"),
    Page("/initiatives/new", "/initiatives/new", CX),
    Page("/initiatives/options", "/initiatives/options?q=claim", CX, "/api/initiatives?page_size=20"),
    Page("/initiatives/<int:initiative_id>", "/initiatives/{initiative}", CX, "/api/initiatives/{initiative}/roi",
         "API: the initiative's ROI on both bases, the initiative, its readiness, baseline, impacts, reviews, "
         "cash flows and history (transitions)",
         more=("/api/initiatives/{initiative}/roi?basis=actual", "/api/initiatives/{initiative}",
               "/api/initiatives/{initiative}/readiness", "/api/initiatives/{initiative}/baseline",
               "/api/initiatives/{initiative}/impacts", "/api/initiatives/{initiative}/reviews",
               "/api/initiatives/{initiative}/cash-flows", "/api/initiatives/{initiative}/transitions")),
    Page("/initiatives/<int:initiative_id>/edit", "/initiatives/{initiative}/edit", CX,
         "/api/initiatives/{initiative}", "API: the initiative and the journeys, departments and people its "
         "fields offer; each journey's stages (a GET a journey) are not counted",
         more=("/api/journeys", "/api/departments", "/api/users")),
    Page("/initiatives/<int:initiative_id>/impacts/<int:impact_id>/edit",
         "/initiatives/{initiative}/impacts/{impact}/edit", CX, "/api/initiatives/{initiative}/impacts/{impact}"),
    Page("/reports/roi", "/reports/roi", CX, "/api/reports/roi",
         "API: the ROI report and the benefits realisation; the unmeasured list has no GET of its own",
         more=("/api/reports/benefits",)),
    Page("/reports/roi.csv", "/reports/roi.csv", CX, "/api/reports/roi.csv"),
    Page("/reports/roi.pdf", "/reports/roi.pdf", CX, "/api/reports/roi"),
    Page("/reports/benefits.csv", "/reports/benefits.csv", CX, "/api/reports/benefits.csv"),
    Page("/reports/stages", "/reports/stages", CX, "/api/reports/stages?stage_type=purchase&metric=nps",
         "the page's default stage type and metric"),
]
SKIPPED = {
    "/password/set/<token>": "a one-time link: its token exists only in the e-mail that carries it",
    "/journeys/<int:journey_id>/charts/<int:metric_id>.svg": "the journey page's pictures: timed with it "
                                                             "(bench.measure journey)",
    "/imports/<int:job_id>": "one upload's progress: timed with the upload (bench.loaded)",
}


def page_routes(app):
    """Every GET route a browser opens: not the API, not the static files, not the health check."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.rule.startswith("/api")
                   and rule.endpoint not in ("static", "healthz")})


def pick_ids(app):
    """The ids the parameterised pages are shown for: the busiest of each kind."""
    from sqlalchemy import func, select

    from cxgov.extensions import db
    from cxgov.models import (
        AgendaItem,
        Ambassador,
        AmbassadorAction,
        CashFlow,
        Decision,
        Impact,
        Initiative,
        Measurement,
        Meeting,
        Stage,
        Target,
        Touchpoint,
        User,
    )

    with app.app_context():
        s = db.session
        journey = s.scalar(select(Measurement.journey_id).where(Measurement.stage_id.is_(None))
                           .group_by(Measurement.journey_id).order_by(func.count().desc(), Measurement.journey_id)
                           .limit(1))
        stage = s.scalar(select(Stage.id).where(Stage.journey_id == journey).order_by(Stage.position, Stage.id))
        touchpoint = s.scalar(select(Touchpoint.id).join(Stage, Stage.id == Touchpoint.stage_id)
                              .where(Stage.journey_id == journey).order_by(Touchpoint.id))
        target = s.scalar(select(Target.id).where(Target.journey_id == journey).order_by(Target.id))
        scores = (select(Meeting.id, Meeting.committee_id, Meeting.series_id)
                  .outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id).where(Meeting.status == "held")
                  .group_by(Meeting.id, Meeting.committee_id, Meeting.series_id)
                  .order_by((func.count(AgendaItem.id.distinct())
                             + select(func.count()).where(Decision.meeting_id == Meeting.id)
                             .correlate(Meeting).scalar_subquery()).desc(), Meeting.id).limit(1))
        meeting, committee, series = s.execute(scores).one()
        if series is None:
            series = s.scalar(select(Meeting.series_id).where(Meeting.series_id.is_not(None)).limit(1))
        upcoming = s.scalar(select(Meeting.id).outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
                            .where(Meeting.status == "scheduled").group_by(Meeting.id)
                            .order_by(func.count(AgendaItem.id).desc(), Meeting.id).limit(1))
        upcoming_item = s.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == upcoming)
                                 .order_by(AgendaItem.id))
        agenda_item = s.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting).order_by(AgendaItem.id))
        decision = s.scalar(select(Decision.id).where(Decision.meeting_id == meeting).order_by(Decision.id))
        initiative = s.scalar(select(CashFlow.initiative_id)
                              .join(Impact, Impact.initiative_id == CashFlow.initiative_id)
                              .group_by(CashFlow.initiative_id)
                              .order_by(func.count(CashFlow.id.distinct()).desc(), CashFlow.initiative_id).limit(1))
        impact = s.scalar(select(Impact.id).where(Impact.initiative_id == initiative).order_by(Impact.id))
        department = s.scalar(select(Initiative.department_id).group_by(Initiative.department_id)
                              .order_by(func.count().desc(), Initiative.department_id).limit(1))
        user = s.scalar(select(User.id).where(User.email == PEOPLE[CX]))
        ambassador = s.scalar(select(Ambassador.id).join(User, User.id == Ambassador.user_id)
                              .where(User.email == PEOPLE[AMBASSADOR]).order_by(Ambassador.id.desc()))
        action = s.scalar(select(AmbassadorAction.id).where(AmbassadorAction.ambassador_id == ambassador)
                          .order_by(AmbassadorAction.id.desc()))
    return {"journey": journey, "stage": stage, "touchpoint": touchpoint, "target": target, "meeting": meeting,
            "committee": committee, "series": series, "agenda_item": agenda_item,
            "upcoming": upcoming, "upcoming_item": upcoming_item, "decision": decision,
            "initiative": initiative, "impact": impact, "department": department, "user": user,
            "ambassador": ambassador, "action": action}


def _signed_in(app, email):
    """A test client signed in through the sign-in form."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"csrf_token": csrf, "email": email, "password": PASSWORD})
    assert response.status_code == 302, (email, response.status_code)
    return client


def _tokens(app):
    from sqlalchemy import select

    from cxgov.auth.services import issue_token
    from cxgov.extensions import db
    from cxgov.models import User

    tokens = {}
    with app.app_context():
        for person, email in PEOPLE.items():
            tokens[person], _ = issue_token(db.session.scalar(select(User).where(User.email == email)))
        db.session.commit()
    return tokens


def statements(app, rows, tokens):
    """{path: number of SQL statements} of each page (signed in as its person) and API (its token),
    and {path: HTTP status} of those that did not answer 200."""
    from sqlalchemy import event

    from cxgov.extensions import db

    clients = {person: _signed_in(app, email) for person, email in PEOPLE.items()}
    clients[None] = app.test_client()
    with app.app_context():
        engine = db.engine
    seen, counts, failed = [], {}, {}

    def count(*args):
        seen.append(args[2])
    event.listen(engine, "before_cursor_execute", count)
    try:
        for page, path, apis in rows:
            bearer = {"Authorization": f"Bearer {tokens[page.person or ADMIN]}"}
            for target, client, headers in ((path, clients[page.person], {}),
                                            *((api, app.test_client(), bearer) for api in apis)):
                if target in counts:
                    continue
                seen.clear()
                response = client.get(target, headers=headers)
                counts[target] = len(seen)
                if response.status_code != 200:
                    failed[target] = response.status_code
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts, failed


def resolve(ids):
    """(Page, page path, its API paths: none, or its counterpart's GETs) of every page whose ids the
    database has, and the pages it has none to show (no meeting series, say)."""
    rows, absent = [], []
    for page in PAGES:
        apis = (page.api, *page.more) if page.api else ()
        needs = re.findall(r"{(\w+)}", page.path + "".join(apis))
        if any(ids[name] is None for name in needs):
            absent.append((page, sorted({name for name in needs if ids[name] is None})))
            continue
        rows.append((page, page.path.format(**ids), tuple(api.format(**ids) for api in apis)))
    return rows, absent


class Http:
    """GETs to gunicorn on one keep-alive connection (reopened when a sync worker closes it), with a
    session cookie or a bearer token."""

    def __init__(self, port, cookie=None, token=None):
        import http.client

        self.port, self.connection = port, http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.headers = {"Cookie": cookie} if cookie else {"Authorization": f"Bearer {token}"} if token else {}

    def send(self, method, path, body=None, headers=None):
        import http.client

        for attempt in (0, 1):
            try:
                self.connection.request(method, path, body=body, headers={**self.headers, **(headers or {})})
                response = self.connection.getresponse()
                return response, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt:
                    raise

    def get(self, path):
        response, data = self.send("GET", path)
        assert response.status == 200, (path, response.status, data[:300])
        return data


def http_session(port, email):
    """A browser session signed in through the sign-in form over HTTP: its cookie."""
    browser = Http(port)
    response, data = browser.send("GET", "/login")
    cookie = _cookie(response)
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', data).group(1).decode()
    browser.headers = {"Cookie": cookie}
    response, data = browser.send("POST", "/login", urlencode({"csrf_token": csrf, "email": email,
                                                               "password": PASSWORD}).encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 302, (email, response.status, data[:300])
    return _cookie(response) or cookie


def _cookie(response):
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def timed(calls, workers=1):
    """The median time of each call, the calls taken in turn run after run, after a warm-up (which
    decides the number of runs: SLOW_RUNS when a call took over a second). The warm-up is timed
    once (the page's first view) and repeated untimed, twice as many times as the server has
    workers: a sync worker takes each new connection in turn, and each keeps what it makes (a
    kept report, a laid-out PDF, a drawn chart) for itself, so one view warms one worker only."""
    times = [[] for _ in calls]
    warm = []
    for call in calls:
        started = time.perf_counter()
        call()
        warm.append(time.perf_counter() - started)
        for _ in range(2 * workers - 1):
            call()
    runs = SLOW_RUNS if max(warm) > 1.0 else PAGE_RUNS
    for _ in range(runs):
        for call, taken in zip(calls, times, strict=True):
            started = time.perf_counter()
            call()
            taken.append(time.perf_counter() - started)
    return [statistics.median(taken) for taken in times], runs, warm


def _fetch(client, path, sizes):
    def call():
        sizes[path] = len(client.get(path))
    return call


def measure(url):
    """Every page and its counterpart: a list of dicts, one per page."""
    from bench.measure import make_app
    from bench.serve import Gunicorn

    app = make_app()
    ids = pick_ids(app)
    tokens = _tokens(app)
    rows, absent = resolve(ids)
    counts, failed = statements(app, rows, tokens)
    if failed:
        raise SystemExit(f"not 200 in the app: {failed}")
    results = []
    with Gunicorn(url) as server:
        browsers = {person: Http(server.port, cookie=http_session(server.port, email))
                    for person, email in PEOPLE.items()}
        browsers[None] = Http(server.port)
        apis = {person: Http(server.port, token=token) for person, token in tokens.items()}
        for page, path, gets in rows:
            sizes = {}
            calls = [_fetch(browsers[page.person], path, sizes)]
            calls += [_fetch(apis[page.person or ADMIN], api, sizes) for api in gets]
            medians, runs, first = timed(calls, server.workers)
            api = gets[0] if gets else None
            results.append({"rule": page.rule, "page": path, "person": page.person or "signed out",
                            "bytes": sizes[path], "statements": counts[path], "ms": medians[0] * 1000,
                            "first_ms": first[0] * 1000, "api": api, "api_gets": list(gets),
                            "api_bytes": sum(sizes[g] for g in gets) if gets else None,
                            "api_statements": sum(counts[g] for g in gets) if gets else None,
                            "api_ms": sum(medians[1:]) * 1000 if gets else None,
                            "first_api_ms": medians[1] * 1000 if gets else None,
                            "runs": runs, "note": page.note})
    return ids, results, [(page.rule, missing) for page, missing in absent]


def goals(row):
    """(ratio or None, ratio goal met or None, time goal met)."""
    fast = row["ms"] <= GOAL_MS
    if row["api"] is None:
        return None, None, fast
    ratio = row["ms"] / row["api_ms"]
    return ratio, ratio <= GOAL_RATIO, fast


def print_table(rows, out=sys.stdout):
    print(f"  {'page':44} {'bytes':>9} {'stmts':>5} {'ms':>8} {'first':>8}   {'API counterpart':44} {'bytes':>9} "
          f"{'stmts':>5} {'ms':>8} {'ratio':>6}  goals", file=out)
    for row in rows:
        ratio, near, fast = goals(row)
        page = f"{row['page']} ({row['person']})"
        line = f"  {page:44} {row['bytes']:>9,} {row['statements']:>5} {row['ms']:8.1f} {row['first_ms']:8.1f}   "
        if row["api"]:
            gets = len(row["api_gets"])
            api = row["api"] if gets == 1 else f"{row['api']} +{gets - 1} GETs"
            line += (f"{api:44} {row['api_bytes']:>9,} {row['api_statements']:>5} {row['api_ms']:8.1f} "
                     f"{ratio:5.2f}x  ≤ {GOAL_RATIO:g}x {'ok' if near else 'MISSED'}, ")
        else:
            line += f"{'(none)':44} {'':9} {'':5} {'':8} {'':6}  "
        print(line + f"≤ {GOAL_MS:g} ms {'ok' if fast else 'MISSED'}", file=out)
    for row in rows:
        if row["note"]:
            alone = ""
            if len(row["api_gets"]) > 1:
                alone = (f" (the first GET alone: {row['first_api_ms']:.1f} ms, "
                         f"{row['ms'] / row['first_api_ms']:.2f}x)")
            print(f"  note: {row['page']}: {row['note']}{alone}", file=out)


def main():
    url = os.environ["DATABASE_URL"]
    ids, rows, absent = measure(url)
    load = open("/proc/loadavg").read().split()[:3]
    print(f"  ids: {', '.join(f'{k} {v}' for k, v in ids.items())}")
    print(f"  medians over {PAGE_RUNS} runs ({SLOW_RUNS} when a warm-up took over 1 s) of the page and its API "
          "taken in turn; statements counted in-process; first: the page's warm-up, its first view in the "
          "server (what a process keeps, the ROI report per portfolio version, a PDF laid out, a chart drawn, "
          "is made then)")
    print_table(rows)
    for rule, missing in absent:
        print(f"  not measured: {rule}: this database has no {' or '.join(missing)}")
    print("  skipped: " + "; ".join(f"{rule}: {why}" for rule, why in SKIPPED.items()))
    print(f"  load average after the step: {' '.join(load)}")
    print(json.dumps({"rows": rows, "load": load}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
