"""The home page and the health check."""
from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from cxgov.extensions import db

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    return render_template("home/index.html", user=current_user)


def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")

blueprints = [bp]
