"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from cxgov import create_app

app = create_app()
