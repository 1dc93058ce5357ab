"""What signing in tells the user records below it (`cxgov.org`, which never imports it): how the
API token making a request survives its own user's password change. The app hands it over when it
is created (`connect`)."""
from cxgov.auth.services import keep_request_token
from cxgov.org import services as org


def connect():
    org.use_request_credential(keep_request_token)
