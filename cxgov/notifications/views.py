"""The inbox page and the unread badge in the navigation."""
from flask import Blueprint, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from cxgov.db import utcnow
from cxgov.notifications import links, services
from cxgov.rest import paginate
from cxgov.transaction import transactional

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 25
MAX_PAGE = 1_000_000  # as the API's lists (cxgov.rest.ListArgs)


@bp.app_context_processor
def unread_badge():
    """`unread_count()` for the navigation: counted only when a signed-in page asks for it."""

    def unread_count():
        if not has_request_context() or not current_user or not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)

    return {"unread_count": unread_count}


@bp.route("")
def inbox():
    unread_only = request.args.get("unread") == "1"
    try:  # a page number past what lists go to (and the database counts to) is taken as that
        page = min(max(1, int(request.args.get("page", 1))), MAX_PAGE)
    except ValueError:
        page = 1
    stmt = services.inbox_query(current_user, unread=True if unread_only else None)
    result = paginate(stmt, {"page": page, "page_size": PAGE_SIZE})
    pages = max(1, -(-result["total"] // PAGE_SIZE))
    return render_template("notifications/inbox.html", result=result, unread_only=unread_only,
                           page=page, pages=pages, links=links.inbox_links(result["items"]))


def _back():
    return redirect(url_for("notifications.inbox", unread=request.args.get("unread") or None,
                            page=request.args.get("page") or None))


@bp.post("/<int:notification_id>/read")
def mark_read(notification_id):
    with transactional():
        services.mark_read(current_user, notification_id, utcnow())
    return _back()


@bp.post("/read-all")
def mark_all_read():
    with transactional():
        updated = services.mark_all_read(current_user, utcnow())
    flash(ngettext("%(count)s notification marked read.", "%(count)s notifications marked read.", updated,
                   count=updated), "info")
    return _back()


blueprints = [bp]
