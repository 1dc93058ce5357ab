"""/api/notifications: the caller's own inbox."""
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from cxgov import policy
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.notifications import services
from cxgov.notifications.models import Notification
from cxgov.notifications.schemas import FailedNotificationSchema, NotificationArgs, NotificationSchema, ReadAllSchema
from cxgov.rest import Blueprint, ListArgs, page_of, paginate

blp = Blueprint("api_notifications", __name__, url_prefix="/api/notifications",
                description="Your notifications (reminders and digests), newest first.")


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, page_of(NotificationSchema))
    @blp.problems(401, 422)
    def get(self, args):
        """List your notifications, newest first (`?unread=true` for the unread ones)."""
        stmt = services.inbox_query(current_user, unread=args.get("unread"), kind=args.get("kind"))
        return paginate(stmt, args)


@blp.route("/<int:notification_id>/read")
class ReadNotification(MethodView):
    @blp.response(200, NotificationSchema)
    @blp.problems(401, 404)
    def post(self, notification_id):
        """Mark one of your notifications read (someone else's is 404)."""
        notification = services.mark_read(current_user, notification_id, utcnow())
        db.session.commit()
        return notification


@blp.route("/read-all")
class ReadAll(MethodView):
    @blp.response(200, ReadAllSchema)
    @blp.problems(401)
    def post(self):
        """Mark all your notifications read."""
        updated = services.mark_all_read(current_user, utcnow())
        db.session.commit()
        return {"updated": updated}


@blp.route("/failed")
class FailedNotifications(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(FailedNotificationSchema))
    @blp.problems(401, 403, 422)
    def get(self, args):
        """Everyone's notifications whose mail failed for good (admins), most recent failure first:
        refused with 5xx by the mail server, or not sent after 10 attempts. They are not tried
        again; they stay in their recipients' inboxes."""
        policy.require(policy.view_failed_mail, current_user)
        stmt = (select(Notification).where(Notification.failed_at.is_not(None))
                .order_by(Notification.failed_at.desc(), Notification.id.desc()))
        return paginate(stmt, args)


blueprints = [blp]
