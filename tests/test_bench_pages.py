"""bench.pages measures every page: a new page route is benched (PAGES) or skipped with a reason."""
from bench import pages


def test_every_page_route_is_benched_or_skipped(app):
    benched = [page.rule for page in pages.PAGES]
    assert len(benched) == len(set(benched)), "a page is listed twice"
    assert not set(benched) & set(pages.SKIPPED), "a page is both benched and skipped"
    routes = set(pages.page_routes(app))
    missing = routes - set(benched) - set(pages.SKIPPED)
    assert not missing, f"pages without a bench entry (bench/pages.py PAGES or SKIPPED): {sorted(missing)}"
    stale = (set(benched) | set(pages.SKIPPED)) - routes
    assert not stale, f"bench entries of routes that are gone: {sorted(stale)}"
    assert all(reason.strip() for reason in pages.SKIPPED.values())


def test_every_benched_page_and_counterpart_answers_on_the_demo(app, demo_seeded):
    ids = pages.pick_ids(app)
    rows, absent = pages.resolve(ids)
    assert [(page.rule, missing) for page, missing in absent] == [
        ("/series/<int:series_id>", ["series"]), ("/series/<int:series_id>/invite.ics", ["series"])]
    adapter = app.url_map.bind("localhost")
    for page, path, apis in rows:
        assert adapter.match(path.split("?")[0], return_rule=True)[0].rule == page.rule, path
        assert len(apis) == len(set(apis)), f"{path}: a counterpart GET is listed twice"
        for api in apis:
            assert adapter.match(api.split("?")[0], return_rule=True)[0].rule.startswith("/api/"), api
    counts, failed = pages.statements(app, rows, pages._tokens(app))
    assert not failed
    assert all(counts[path] > 0 for page, path, _ in rows if page.person), counts
