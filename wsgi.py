"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc

from cxgov import create_app

app = create_app()
# Everything built so far (the app, its imports) lives as long as the process: take it out of the
# garbage collector's generations so collections during requests do not walk it again and again,
# and, with gunicorn --preload, forked workers keep sharing those pages (Python docs, gc.freeze).
gc.freeze()
