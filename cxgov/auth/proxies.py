"""Which client address to believe. Behind `CXGOV_TRUSTED_PROXIES` reverse proxies, werkzeug's
ProxyFix takes the client's address (and scheme) from the last that many X-Forwarded-For
(X-Forwarded-Proto) entries. Either way the forwarding headers are then dropped: Flask-Login's
strong session protection reads X-Forwarded-For itself, and a client must not be able to pose as
another address (the one a stolen session was bound to) by sending that header."""
from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                      "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


class DropForwardingHeaders:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        for name in FORWARDING_HEADERS:
            environ.pop(name, None)
        return self.wsgi_app(environ, start_response)


def trust_proxies(wsgi_app, count):
    """`wsgi_app` behind `count` trusted reverse proxies (0: none)."""
    wsgi_app = DropForwardingHeaders(wsgi_app)
    if count > 0:
        wsgi_app = ProxyFix(wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)
    return wsgi_app
