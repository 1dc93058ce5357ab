"""/api/departments and /api/users."""
from flask import g
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from cxgov import policy
from cxgov.auth.services import keep_token
from cxgov.extensions import db
from cxgov.org import services
from cxgov.org.models import Department, User
from cxgov.org.schemas import DepartmentArgs, DepartmentSchema, MeUpdateSchema, UserArgs, UserSchema
from cxgov.rest import Blueprint, check_if_match, filter_by, get_or_404, page_of, paginate, with_etag

departments = Blueprint("api_departments", __name__, url_prefix="/api/departments",
                        description="Departments (admins write, everyone reads).")
users = Blueprint("api_users", __name__, url_prefix="/api/users",
                  description="Users (admins write, everyone reads).")


@departments.route("")
class Departments(MethodView):
    @departments.arguments(DepartmentArgs, location="query")
    @departments.response(200, page_of(DepartmentSchema))
    @departments.problems(401, 422)
    def get(self, args):
        """List departments."""
        stmt = filter_by(select(Department).order_by(Department.name), Department, args, ["code"])
        return paginate(stmt, args)

    @departments.arguments(DepartmentSchema)
    @departments.response(201, DepartmentSchema)
    @departments.problems(400, 401, 403, 409, 422)
    def post(self, data):
        """Create a department."""
        department = services.create_department(current_user, data)
        db.session.commit()
        return with_etag(department, 201)


@departments.route("/<int:department_id>")
class DepartmentById(MethodView):
    @departments.response(200, DepartmentSchema)
    @departments.problems(401, 404)
    def get(self, department_id):
        """Read a department."""
        return with_etag(get_or_404(Department, department_id))

    @departments.arguments(DepartmentSchema(partial=True))
    @departments.response(200, DepartmentSchema)
    @departments.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, department_id):
        """Change a department."""
        department = get_or_404(Department, department_id)
        policy.require(policy.manage_org, current_user)
        check_if_match(department)
        services.update_department(current_user, department, data)
        db.session.commit()
        return with_etag(department)

    @departments.response(204)
    @departments.problems(401, 403, 404, 409, 412)
    def delete(self, department_id):
        """Delete a department nobody refers to."""
        department = get_or_404(Department, department_id)
        policy.require(policy.manage_org, current_user)
        check_if_match(department)
        services.delete_department(current_user, department)
        db.session.commit()


@users.route("")
class Users(MethodView):
    @users.arguments(UserArgs, location="query")
    @users.response(200, page_of(UserSchema))
    @users.problems(401, 422)
    def get(self, args):
        """List users."""
        stmt = filter_by(select(User).order_by(User.name, User.id), User, args, ["role", "department_id", "active"])
        return paginate(stmt, args)

    @users.arguments(UserSchema)
    @users.response(201, UserSchema)
    @users.problems(400, 401, 403, 409, 422)
    def post(self, data):
        """Create a user with a password (admins)."""
        user = services.create_user(current_user, data)
        db.session.commit()
        return with_etag(user, 201)


@users.route("/me")
class Me(MethodView):
    @users.response(200, UserSchema)
    @users.problems(401)
    def get(self):
        """The signed-in user."""
        return with_etag(current_user._get_current_object())

    @users.arguments(MeUpdateSchema)
    @users.response(200, UserSchema)
    @users.problems(400, 401, 412, 422)
    def patch(self, data):
        """Change your own name, digest preference or password."""
        user = current_user._get_current_object()
        check_if_match(user)
        services.update_me(user, data)
        if g.get("api_token_id") is not None:
            keep_token(g.api_token_id, user)
        db.session.commit()
        return with_etag(user)


@users.route("/<int:user_id>")
class UserById(MethodView):
    @users.response(200, UserSchema)
    @users.problems(401, 404)
    def get(self, user_id):
        """Read a user."""
        return with_etag(get_or_404(User, user_id))

    @users.arguments(UserSchema(partial=True))
    @users.response(200, UserSchema)
    @users.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, user_id):
        """Change a user (admins); deactivate with `active: false`."""
        user = get_or_404(User, user_id)
        policy.require(policy.manage_org, current_user)
        check_if_match(user)
        services.update_user(current_user, user, data)
        if user.id == current_user.id and g.get("api_token_id") is not None:
            keep_token(g.api_token_id, user)
        db.session.commit()
        return with_etag(user)

blueprints = [departments, users]
