"""/api/departments and /api/users."""
from flask.views import MethodView
from flask_login import current_user

from cxgov import policy
from cxgov.org import services
from cxgov.org.models import Department, User
from cxgov.org.schemas import DepartmentArgs, DepartmentSchema, MeUpdateSchema, UserArgs, UserSchema
from cxgov.resources import Resource, transactional
from cxgov.rest import Blueprint, check_if_match, with_etag

departments = Blueprint("api_departments", __name__, url_prefix="/api/departments",
                        description="Departments (admins write, everyone reads).")
users = Blueprint("api_users", __name__, url_prefix="/api/users",
                  description="Users (admins write, everyone reads).")

Resource(
    departments, model=Department, schema=DepartmentSchema, args=DepartmentArgs, item="<int:department_id>",
    order_by=(Department.name,), filters=("code",), guard=policy.manage_org,
    create=services.create_department, update=services.update_department, delete=services.delete_department,
    conflicts=("create", "update", "delete"),
    docs={"list": "List departments.", "create": "Create a department.", "read": "Read a department.",
          "update": "Change a department.", "delete": "Delete a department nobody refers to."},
)


def _keeping_own_token(update):
    """A password change ends every other credential; the token making the request stays."""
    def updated(actor, user, data):
        update(actor, user, data)
        if user.id == actor.id:
            services.keep_request_credential(user)

    return updated


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
        """Change your own name, digest preference, password, language or time zone."""
        user = current_user._get_current_object()
        with transactional():
            check_if_match(user)
            _keeping_own_token(lambda actor, obj, values: services.update_me(obj, values))(user, user, data)
        return with_etag(user)


Resource(
    users, model=User, schema=UserSchema, args=UserArgs, item="<int:user_id>",
    order_by=(User.name, User.id), filters=("role", "department_id", "active"), guard=policy.manage_org,
    create=services.create_user, update=_keeping_own_token(services.update_user),
    conflicts=("create", "update"),
    docs={"list": "List users.", "create": "Create a user with a password (admins).", "read": "Read a user.",
          "update": "Change a user (admins); deactivate with `active: false`."},
)

blueprints = [departments, users]
