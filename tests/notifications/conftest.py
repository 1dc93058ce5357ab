"""A real SMTP server on loopback (aiosmtpd) that collects what it receives."""
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.notifications.models import Notification


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self):
        self.messages = []
        self.refuse = set()  # recipients answered with 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for rcpt, message in self.messages if address in rcpt]

    def subjects(self):
        return sorted(str(message["Subject"]) for _, message in self.messages)


class SmtpServer:
    def __init__(self, port):
        self.port = port
        self.collector = Collector()
        self.controller = None

    def start(self):
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.collector.messages


@pytest.fixture
def smtp_port(app):
    """A loopback port the app mails to; nothing listens on it until a server is started."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_DEFAULT_SENDER="cxgov@example.com", MAIL_TIMEOUT=5)
    return port


@pytest.fixture
def smtp(smtp_port):
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down(smtp_port):
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


def notifications(**filters):
    """Notification rows as the database has them now."""
    db.session.rollback()
    stmt = select(Notification).order_by(Notification.id).execution_options(populate_existing=True)
    for name, value in filters.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return db.session.scalars(stmt).all()
