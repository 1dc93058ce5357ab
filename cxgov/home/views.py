"""The home page (each person's dashboard), the main navigation, and the health check."""
from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from cxgov.db import today
from cxgov.extensions import db
from cxgov.home import dashboard, navigation

bp = Blueprint("home", __name__)


@bp.app_context_processor
def main_navigation():
    return {"nav_links": navigation.nav_links}


@bp.route("/")
def index():
    return render_template("home/index.html", user=current_user, board=dashboard.build(current_user),
                           today=today())


def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")

blueprints = [bp]
