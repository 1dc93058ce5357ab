"""What the weekly digest recognises in the ambassador network: the most active ambassadors of
the week, and the ideas of ambassadors that became initiatives delivered that week."""
from sqlalchemy import func, select

from cxgov.ambassadors.health import NOT_COUNTED_KINDS
from cxgov.ambassadors.models import Ambassador, AmbassadorAction
from cxgov.extensions import db
from cxgov.initiatives.models import Initiative
from cxgov.org.models import Department, User

MOST_ACTIVE = 3


def most_active(start, end, limit=MOST_ACTIVE):
    """The ambassadors with the most actions from `start` to `end` (inclusive; recognitions not
    counted), most first: [{"name", "department", "actions", "people_reached"}]. One query."""
    count = func.count(AmbassadorAction.id)
    rows = db.session.execute(
        select(User.name, Department.name, count, func.sum(AmbassadorAction.people_reached))
        .join(Ambassador, AmbassadorAction.ambassador_id == Ambassador.id)
        .join(User, User.id == Ambassador.user_id)
        .join(Department, Department.id == AmbassadorAction.department_id)
        .where(AmbassadorAction.occurred_on.between(start, end), AmbassadorAction.kind.not_in(NOT_COUNTED_KINDS))
        .group_by(Ambassador.id, User.name, Department.name)
        .order_by(count.desc(), func.sum(AmbassadorAction.people_reached).desc(), User.name)
        .limit(limit)
    ).all()
    return [{"name": name, "department": department, "actions": actions, "people_reached": int(people or 0)}
            for name, department, actions, people in rows]


def ideas_delivered(start, end):
    """Improvement ideas whose initiative was delivered from `start` to `end` (inclusive):
    [{"idea", "initiative", "ambassador", "delivered_on"}], by delivery date. One query."""
    rows = db.session.execute(
        select(AmbassadorAction.title, Initiative.title, User.name, Initiative.delivered_on)
        .join(Initiative, Initiative.id == AmbassadorAction.initiative_id)
        .join(Ambassador, AmbassadorAction.ambassador_id == Ambassador.id)
        .join(User, User.id == Ambassador.user_id)
        .where(AmbassadorAction.kind == "improvement_idea", Initiative.delivered_on.between(start, end),
               Initiative.status.in_(("delivered", "closed")))
        .order_by(Initiative.delivered_on, Initiative.id)
    ).all()
    return [{"idea": idea, "initiative": initiative, "ambassador": name, "delivered_on": delivered_on}
            for idea, initiative, name, delivered_on in rows]
