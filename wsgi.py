"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc
import os
import sys

from cxgov import charts, create_app


def gunicorn_workers():
    """The number of workers when gunicorn is importing this module (its application or worker
    object is on the call stack, holding the configuration), else None."""
    if "gunicorn" not in sys.modules:
        return None
    frame = sys._getframe(1)
    while frame is not None:
        workers = getattr(getattr(frame.f_locals.get("self"), "cfg", None), "workers", None)
        if isinstance(workers, int):
            return workers
        frame = frame.f_back
    return 1


def serving_warnings(config, environ, workers):
    """What is wrong with serving this app as configured, for the operator's log."""
    if workers is None:
        return []
    warnings = []
    if environ.get("CXGOV_ENV") != "production":
        warnings.append(
            f"gunicorn is serving cxgov with CXGOV_ENV={environ.get('CXGOV_ENV', 'development')!r}, not "
            "'production': development settings (cookies without Secure, no HSTS, a key made on this "
            "machine) are in force. Set CXGOV_ENV=production, SECRET_KEY and DATABASE_URL.")
    if workers > 1 and config.get("RATELIMIT_ENABLED", True) \
            and config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        warnings.append(
            f"{workers} gunicorn workers count sign-in attempts in memory://, each on its own: every "
            "sign-in limit is multiplied by the number of workers. Set RATELIMIT_STORAGE_URI to a "
            "shared store, e.g. redis://127.0.0.1:6379.")
    return warnings


app = create_app()
charts.library()  # matplotlib, loaded once here: gunicorn --preload's workers share it
for warning in serving_warnings(app.config, os.environ, gunicorn_workers()):
    app.logger.warning("\n%s\n  WARNING: %s\n%s", "*" * 78, warning, "*" * 78)
# Everything built so far (the app, its imports) lives as long as the process: take it out of the
# garbage collector's generations so collections during requests do not walk it again and again,
# and, with gunicorn --preload, forked workers keep sharing those pages (Python docs, gc.freeze).
gc.freeze()
