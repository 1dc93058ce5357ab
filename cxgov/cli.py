"""`flask --app wsgi cxgov …` commands."""
import click
from flask.cli import AppGroup

from cxgov.extensions import db
from cxgov.org.models import ROLES

cxgov_cli = AppGroup("cxgov", help="cxgov administration.")


@cxgov_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--department", "department_code", help="Department code.")
@click.option("--password", help="Prompted for when absent.")
def create_user_command(email, name, role, department_code, password):
    """Create a user who can sign in."""
    from sqlalchemy import select

    from marshmallow import ValidationError

    from cxgov.errors import DomainError
    from cxgov.org.models import Department
    from cxgov.org.schemas import UserSchema
    from cxgov.org.services import create_user

    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.UsageError("the password needs at least 10 characters")
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
        user = create_user(None, data)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.detail or str(error)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@cxgov_cli.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with a realistic demo organisation."""
    from cxgov.demo import seed_demo, is_empty

    if not is_empty():
        click.echo("the database already has users: seed-demo left it as it is")
        return
    summary = seed_demo()
    db.session.commit()
    click.echo(summary)
