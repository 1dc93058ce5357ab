"""Screenshots of each role's home page at desktop and phone width, from the demo organisation.

    .venv/bin/python docs/screens/make.py                     # docs/screens/<role>-<width>.png
    .venv/bin/python docs/screens/make.py --out /tmp/shots --role ceo /reports/roi /journeys/1

Seeds the demo into a temporary SQLite database, serves the app on 127.0.0.1 (a free port),
signs in as each role through /login with Chromium (Playwright) and saves full-page PNGs.
Paths given on the command line are shot instead of the home page, for every role that may
open them. Nothing outside the temporary directory and the output directory is written.
"""
import argparse
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# (file name, demo user's email local part)
ROLES = [
    ("cx-leader", "lena.fischer"),
    ("ceo", "ceo"),
    ("admin", "admin"),
    ("ambassador", "emma.klein"),
    ("journey-owner", "mehmet.yilmaz"),
    ("member", "leon.fuchs"),
]
WIDTHS = {1366: 900, 390: 844}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def build_app(directory):
    import flask_migrate

    from cxgov import create_app
    from cxgov.demo import seed_demo
    from cxgov.extensions import db

    app = create_app({"CXGOV_ENV": "development", "SECRET_KEY": "screenshots",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'demo.sqlite'}",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seed_demo()
        db.session.commit()
    return app


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def shrink(path):
    """256 colours are plenty for a page of text: the PNG is a third of the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def shoot(base, out, paths, roles=None):
    from playwright.sync_api import sync_playwright

    from cxgov.demo import DOMAIN, PASSWORD

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        for role, local in ROLES:
            if roles and role not in roles:
                continue
            for width, height in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{base}/login")
                page.fill("#email", f"{local}@{DOMAIN}")
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
                for path in paths or ["/"]:
                    response = page.goto(f"{base}{path}")
                    if response.status != 200:
                        continue
                    slug = "" if path == "/" else "-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))
                    target = out / f"{role}{slug}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    shrink(target)
                    saved.append(target)
                context.close()
        browser.close()
    return saved


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="where to save the PNGs (default: docs/screens)")
    parser.add_argument("--role", action="append", choices=[role for role, _ in ROLES],
                        help="only this role (repeatable; default: every role)")
    parser.add_argument("paths", nargs="*", help="pages to shoot instead of the home page, e.g. /reports/roi")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cxgov-screens-") as directory:
        app = build_app(Path(directory))
        server, base = serve(app)
        try:
            for target in shoot(base, args.out, args.paths, args.role):
                print(target)
        finally:
            server.shutdown()
            from cxgov.extensions import db

            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
