"""`flask --app wsgi cxgov …` commands."""
import click
from flask.cli import AppGroup

from cxgov.extensions import db
from cxgov.org.models import ROLES
from cxgov.transaction import transactional

cxgov_cli = AppGroup("cxgov", help="cxgov administration.")


@cxgov_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--department", "department_code", help="Department code.")
@click.option("--password", help="Prompted for when absent.")
def create_user_command(email, name, role, department_code, password):
    """Create a user who can sign in."""
    from marshmallow import ValidationError
    from sqlalchemy import select

    from cxgov.errors import DomainError
    from cxgov.org.models import Department
    from cxgov.org.schemas import UserSchema
    from cxgov.org.services import create_user

    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    from cxgov.org.passwords import password_problem

    problem = password_problem(password)
    if problem:
        raise click.UsageError(f"password: {problem}")
    department_id = None
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise click.UsageError(f"no department with code {department_code!r}")
        department_id = department.id
    try:
        data = UserSchema().load({"email": email, "name": name, "role": role,
                                  "department_id": department_id, "password": password})
    except ValidationError as error:
        problems = "; ".join(f"{field}: {' '.join(map(str, messages))}" for field, messages in error.messages.items())
        raise click.UsageError(problems) from None
    try:
        with transactional():
            user = create_user(None, data)
    except DomainError as error:
        raise click.ClickException(error.detail or str(error)) from None
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@cxgov_cli.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with a realistic demo organisation."""
    from cxgov.demo import is_empty, seed_demo, sign_in_lines  # here only: the web app never imports the demo

    with transactional():
        if not is_empty():
            click.echo("the database already has users: seed-demo left it as it is")
            click.echo("\n".join(["If it is the demo organisation:", *sign_in_lines()]))
            return
        summary = seed_demo()
    click.echo(summary)


def _parse_instant(value):
    from datetime import datetime

    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 instant") from None
    if instant.tzinfo is None:
        raise click.BadParameter("give an offset, e.g. 2026-05-04T07:00:00+02:00 or …Z")
    return instant


@cxgov_cli.command("run-job")
@click.argument("name")
@click.option("--now", "now_text", metavar="ISO-INSTANT",
              help="Run as if it were this instant (with offset); default: the current time.")
def run_job_command(name, now_text):
    """Run one reminder job once and print how many rows it wrote (or mails it sent)."""
    from cxgov.db import utcnow
    from cxgov.notifications.jobs import JOBS, UnknownJob, run_job

    if name not in JOBS:
        raise click.UsageError(f"unknown job {name!r}; jobs: {', '.join(JOBS)}")
    now = _parse_instant(now_text) if now_text else utcnow()
    try:
        count = run_job(name, now)
    except UnknownJob as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"{name}: {count}")


@cxgov_cli.command("scheduler")
def scheduler_command():
    """Run the reminder scheduler in the foreground (one per deployment, never in web workers)."""
    import logging

    from flask import current_app

    from cxgov.scheduler import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # cxgov.scheduler logs each run
    run_scheduler(current_app._get_current_object())
