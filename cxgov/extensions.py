"""Extensions, created unbound and initialised in `create_app`."""
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from cxgov.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


# Only the sign-in views are rate-limited (their `limiter.shared_limit`): every other request is
# exempted by this filter before the limiter works out which limits would apply to it.
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "api_auth.create_token"})


@limiter.request_filter
def only_sign_in_is_limited():
    return request.endpoint not in SIGN_IN_ENDPOINTS
