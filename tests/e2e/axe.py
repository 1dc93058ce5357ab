"""axe-core in the browser tests: load it into a page and report violations readably.

axe-core comes from npm (package.json pins it exactly; `make install` runs `npm ci`). It is
added to a browser context as an init script: Playwright evaluates init scripts through the
DevTools protocol, outside the page's Content-Security-Policy, so the pages are checked under
their real CSP (no `bypass_csp`, which would also let the browser apply what the CSP refuses, and
no test-only route serving the file from the app).
"""
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and the best practices users reported failures of.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BEST_PRACTICES = ["empty-table-header", "skip-link", "landmark-one-main", "page-has-heading-one",
                  "region", "heading-order", "landmark-unique"]


def install(context):
    """Make `axe` available in every page of a Playwright browser context."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make install` (it runs `npm ci`)")
    context.add_init_script(path=str(AXE_JS))


def run(page):
    """axe's violations on the page once it has loaded (a list of axe result dicts). A form's
    submission can leave its new page with its DOM in place and its stylesheets still coming
    (revalidated with 304s); checked then, the page would be laid out unstyled."""
    page.wait_for_load_state("load")
    return page.evaluate(
        """async ([tags, extra]) => {
            const rules = axe.getRules(tags).map((rule) => rule.ruleId).concat(extra);
            const result = await axe.run(document, {runOnly: {type: "rule", values: rules},
                                                    resultTypes: ["violations"]});
            return result.violations;
        }""",
        [WCAG_TAGS, BEST_PRACTICES],
    )


def describe(violations):
    """One paragraph per rule: id, impact, help, then each node's target and axe's summary."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}"
                     f" — {len(violation['nodes'])} node(s)")
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)
