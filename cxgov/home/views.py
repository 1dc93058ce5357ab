"""The home page (each person's dashboard), the main navigation, and the health check."""
from decimal import Decimal

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


@bp.app_template_filter("kpi_number")
def kpi_number(value):
    """A KPI value as measured, without trailing zeros: 42.5000 → "42.5", 40 → "40"."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"


@bp.route("/")
def index():
    return render_template("home/index.html", user=current_user, board=dashboard.build(current_user),
                           today=today())


def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")

blueprints = [bp]
