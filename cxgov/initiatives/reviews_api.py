"""Post-implementation reviews (SPEC §8.4): `/api/initiatives/{id}/reviews`, `/api/reviews/{id}`
and `POST /api/reviews/{id}/verdict`.

Everyone signed in reads reviews (their verdicts are governance records, as decisions are); the
`snapshot`, money figures of the business case, only who may read the business case
(SPEC §5: CX leaders, admins, executives, the owner). Others get `"snapshot": null`.
"""
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields, validate

from cxgov import policy
from cxgov.initiatives import reviews
from cxgov.initiatives.models import REVIEW_VERDICTS, Initiative, Review
from cxgov.resources import guarded, item, transactional
from cxgov.rest import Blueprint, ListArgs, MoneyField, Number, Schema, choice_field, page_of, paginate

blp = Blueprint("api_reviews", __name__, url_prefix="/api", description=(
    "Post-implementation reviews: scheduled when an initiative is delivered (CXGOV_REVIEW_DAYS after "
    "delivered_on), each with a verdict recorded once and a frozen snapshot of the measured value (SPEC §8.4)."))


class SnapshotImpactSchema(Schema):
    impact_id = fields.Integer()
    actual_value = Number(allow_none=True)
    annual_value = MoneyField(allow_none=True)


class SnapshotSchema(Schema):
    impacts = fields.List(fields.Nested(SnapshotImpactSchema))
    actual_npv = MoneyField(metadata={"description": "NPV of the actual cash flows at the default discount rate."})


class ReviewSchema(Schema):
    id = fields.Integer()
    initiative_id = fields.Integer()
    number = fields.Integer(metadata={"description": "1 for the first review after delivery; the highest is "
                                                     "the final review."})
    due_on = fields.Date()
    status = fields.String(metadata={"enum": ["due", "done"]})
    verdict = fields.String(allow_none=True, metadata={"enum": list(REVIEW_VERDICTS)})
    notes = fields.String(allow_none=True)
    recorded_at = fields.AwareDateTime(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)
    snapshot = fields.Nested(SnapshotSchema, allow_none=True, metadata={
        "description": "The impacts' measured values and the actual NPV when the verdict was recorded; null "
                       "before it, and for those who may not read the initiative's business case."})


class VerdictSchema(Schema):
    verdict = choice_field(REVIEW_VERDICTS, required=True)
    notes = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20_000))


def shown(review, initiative=None):
    """The review as `ReviewSchema` answers it to the current user."""
    initiative = initiative or review.initiative
    readable = policy.view_business_case(current_user, initiative)
    return {**{name: getattr(review, name) for name in (
        "id", "initiative_id", "number", "due_on", "status", "verdict", "notes", "recorded_at", "recorded_by_id")},
        "snapshot": review.snapshot if readable else None}


@blp.route("/initiatives/<int:initiative_id>/reviews")
class InitiativeReviews(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(ReviewSchema))
    @blp.problems(401, 404, 422)
    def get(self, args, initiative_id):
        """The initiative's reviews in order (none before delivery)."""
        initiative = guarded(policy.read, item(Initiative, initiative_id))
        page = paginate(reviews.reviews_of(initiative.id), args)
        page["items"] = [shown(review, initiative) for review in page["items"]]
        return page


@blp.route("/reviews/<int:review_id>")
class ReviewById(MethodView):
    @blp.response(200, ReviewSchema)
    @blp.problems(401, 404)
    def get(self, review_id):
        """One review."""
        return shown(guarded(policy.read, item(Review, review_id)))


@blp.route("/reviews/<int:review_id>/verdict")
class Verdict(MethodView):
    @blp.arguments(VerdictSchema)
    @blp.response(200, ReviewSchema)
    @blp.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, review_id):
        """Record the review's verdict (CX leaders and admins), once: a second verdict is refused
        with 409. Freezes `snapshot`. Answers the review, now `done`."""
        with transactional():
            review = item(Review, review_id)
            guarded(policy.record_review, review.initiative, reviews.REFUSED)
            reviews.record_verdict(current_user, review, data["verdict"], data["notes"])
        return shown(review)


blueprints = [blp]
