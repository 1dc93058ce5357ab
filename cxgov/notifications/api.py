"""/api/notifications: the caller's own inbox."""
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from cxgov import policy
from cxgov.db import utcnow
from cxgov.notifications import services
from cxgov.notifications.models import Notification
from cxgov.notifications.schemas import FailedNotificationSchema, NotificationArgs, NotificationSchema, ReadAllSchema
from cxgov.resources import Resource, transactional
from cxgov.rest import Blueprint

blp = Blueprint("api_notifications", __name__, url_prefix="/api/notifications",
                description="Your notifications (reminders and digests), newest first.")

Resource(
    blp, model=Notification, schema=NotificationSchema, args=NotificationArgs,
    query=lambda args: services.inbox_query(current_user, unread=args.get("unread"), kind=args.get("kind")),
    docs={"list": "List your notifications, newest first (`?unread=true` for the unread ones)."},
)


@blp.route("/<int:notification_id>/read")
class ReadNotification(MethodView):
    @blp.response(200, NotificationSchema)
    @blp.problems(401, 404)
    def post(self, notification_id):
        """Mark one of your notifications read (someone else's is 404)."""
        with transactional():
            notification = services.mark_read(current_user, notification_id, utcnow())
        return notification


@blp.route("/read-all")
class ReadAll(MethodView):
    @blp.response(200, ReadAllSchema)
    @blp.problems(401)
    def post(self):
        """Mark all your notifications read."""
        with transactional():
            updated = services.mark_all_read(current_user, utcnow())
        return {"updated": updated}


Resource(
    blp, model=Notification, schema=FailedNotificationSchema, path="/failed", list_guard=policy.view_failed_mail,
    query=lambda args: select(Notification).where(Notification.failed_at.is_not(None)),
    order_by=(Notification.failed_at.desc(), Notification.id.desc()), names=("FailedNotifications", None),
    docs={"list": "Everyone's notifications whose mail failed for good (admins), most recent failure first:\n"
                  "refused with 5xx by the mail server, or not sent after 10 attempts. They are not tried\n"
                  "again; they stay in their recipients' inboxes."},
)

blueprints = [blp]
