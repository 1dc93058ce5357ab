"""Mail: a notification as a MIME message, and an SMTP connection per the MAIL_* settings."""
import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import current_app

from cxgov import i18n
from cxgov.extensions import db


def mail_enabled() -> bool:
    """Without MAIL_SERVER notifications stay in-app only."""
    return bool(current_app.config.get("MAIL_SERVER"))


def message_id(dedupe_key: str) -> str:
    """A Message-ID derived from the reminder itself, so a mail re-sent after a crash between
    the SMTP hand-over and the commit is recognisably the same message."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@cxgov>"


_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def header_text(text: str, limit: int = 255) -> str:
    """Text for a mail header on one line: line breaks and other control characters become one
    space. A title with a line break would otherwise make its reminder unmailable, forever."""
    return " ".join(_BREAKS.sub(" ", text).split())[:limit]


def _invite(notification):
    if notification.entity != "meeting" or notification.entity_id is None:
        return None
    from cxgov.steering.ics import build_invite
    from cxgov.steering.models import Meeting

    meeting = db.session.get(Meeting, notification.entity_id)
    return None if meeting is None else build_invite(meeting, recipient=notification.user)


def compose(notification, now) -> EmailMessage:
    """multipart/alternative (text and HTML); meeting reminders add the invite as text/calendar.
    The invite and the pack are made in the recipient's language and time zone."""
    with i18n.speaking_to(notification.user):
        return _compose(notification, now)


def _compose(notification, now) -> EmailMessage:
    user = notification.user
    message = EmailMessage()
    message["Subject"] = header_text(notification.subject)
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((header_text(user.name), user.email))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(notification.dedupe_key)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(notification.body)
    if notification.body_html:
        message.add_alternative(notification.body_html, subtype="html")
    invite = _invite(notification)
    if invite is not None:
        method = "CANCEL" if b"METHOD:CANCEL" in invite else "REQUEST"
        message.add_attachment(invite.decode("utf-8"), subtype="calendar", filename="invite.ics",
                               params={"method": method})
    attached = _pack(notification)
    if attached is not None:
        message.add_attachment(attached, maintype="application", subtype="pdf",
                               filename=f"pre-read-pack-meeting-{notification.entity_id}.pdf")
    return message


def _pack(notification):
    """A meeting reminder's pre-read pack: the copy stored when the reminder was written, as its
    recipient may read it (steering.pack.for_reader: the stored PDF, or one rendered without the
    figures withheld from them)."""
    if notification.kind != "meeting_reminder" or notification.entity_id is None:
        return None
    from cxgov.steering import pack

    row = pack.latest_sent(notification.entity_id)
    return None if row is None else pack.for_reader(row, notification.user)[1]


class Mailer:
    """One SMTP session, opened on first use and reopened after a failure."""

    def __init__(self):
        config = current_app.config
        self.host = config["MAIL_SERVER"]
        self.port = int(config.get("MAIL_PORT") or 25)
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config.get("MAIL_TIMEOUT", 10))
        self.smtp = None

    def _connect(self):
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage):
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def is_permanent(error: BaseException) -> bool:
    """A failure no retry will cure: the message cannot be built, or the server refuses this
    message or its recipient for good (5xx). Failures of the connection, the login or the sender
    concern every message and are retried."""
    if isinstance(error, (ValueError, TypeError, UnicodeError)):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def describe_error(error: BaseException) -> str:
    """What went wrong, for `last_error`: the exception and the server's words, never settings."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        detail = f"{error.smtp_code} {text}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
            for code, text in error.recipients.values())
        detail = f"recipient refused: {answers}"
    else:
        detail = str(error)
    return f"{type(error).__name__}: {detail}"[:500]
