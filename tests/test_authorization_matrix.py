"""The authorization matrix (SPEC §5): every route × method × role → the expected status.

Routes come from `app.url_map`; a route without a row in EXPECTED fails the suite. Roles:
anonymous, member (owns the initiative and the action item used), ambassador (a member with an
active assignment, who logged the action used), journey_owner (a member owning the journey
used), executive, cx_leader, admin. API calls are signed with bearer tokens, pages with the
session. Writes carry a valid minimal body, so an allowed role gets its 2xx (or a 409 named in
the row) and a forbidden one 403, writing nothing. Anonymous: 401 on the API, a redirect to
/login on pages. The dataset is put back after every request that may have written.
"""
import shutil

import pytest

from tests.authorization_world import ROLES, World

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
MEMBER, AMBASSADOR, OWNER, EXECUTIVE, CX_LEADER, ADMIN = ROLES[1:]
SIGNED_IN = ROLES[1:]


def everyone(status, anonymous=None):
    """Every signed-in role gets `status`."""
    return {"anonymous": anonymous, **{role: status for role in SIGNED_IN}}


def only(status, *allowed, others=403, anonymous=None):
    """The `allowed` roles get `status` (a code or a set of acceptable codes), the others 403."""
    return {"anonymous": anonymous, **{role: status if role in allowed else others for role in SIGNED_IN}}


EXPECTED = {
    ("/", "GET"): everyone(200),
    ("/account", "GET"): everyone(200),
    ("/account/digest", "POST"): everyone(302),
    ("/account/language", "POST"): everyone(302),
    ("/account/password", "POST"): everyone(302),
    # administration: admins only
    ("/admin/departments", "GET"): only(200, ADMIN),
    ("/admin/departments", "POST"): only(302, ADMIN),
    ("/admin/departments/<int:department_id>", "GET"): only(200, ADMIN),
    ("/admin/departments/<int:department_id>", "POST"): only(302, ADMIN),
    ("/admin/departments/<int:department_id>/delete", "POST"): only(302, ADMIN),  # refused (it has users): said
    ("/admin/users", "GET"): only(200, ADMIN),
    ("/admin/users/new", "GET"): only(200, ADMIN),
    ("/admin/users/new", "POST"): only(302, ADMIN),
    ("/admin/users/<int:user_id>", "GET"): only(200, ADMIN),
    ("/admin/users/<int:user_id>", "POST"): only(302, ADMIN),
    ("/admin/users/<int:user_id>/deactivate", "POST"): only(302, ADMIN),
    ("/admin/users/<int:user_id>/password-link", "POST"): only(302, ADMIN),
    ("/admin/users/<int:user_id>/reactivate", "POST"): only(302, ADMIN),
    ("/audit", "GET"): only(200, CX_LEADER, ADMIN),
    # a one-time "set your password" link: for someone not signed in (the world's is used up)
    ("/password/set/<token>", "GET"): everyone(410, anonymous=410),
    ("/password/set/<token>", "POST"): everyone(410, anonymous=410),
    ("/action-items/<int:item_id>/status", "POST"): only(302, MEMBER, CX_LEADER, ADMIN),
    ("/ambassadors/<int:ambassador_id>", "GET"): only(200, AMBASSADOR, EXECUTIVE, CX_LEADER, ADMIN),
    ("/ambassadors/<int:ambassador_id>/end", "POST"): only(302, CX_LEADER, ADMIN),
    ("/ambassadors/<int:ambassador_id>/recognition", "POST"): only(302, CX_LEADER, ADMIN),
    ("/ambassadors/actions/<int:action_id>/edit", "GET"): only(200, AMBASSADOR, CX_LEADER, ADMIN),
    ("/ambassadors/actions/<int:action_id>/edit", "POST"): only(302, AMBASSADOR, CX_LEADER, ADMIN),
    ("/ambassadors/actions/<int:action_id>/propose", "POST"): only(302, AMBASSADOR, CX_LEADER, ADMIN),
    ("/ambassadors/assign", "POST"): only(302, CX_LEADER, ADMIN),
    ("/ambassadors/history", "GET"): everyone(200),
    ("/ambassadors/log", "GET"): everyone(200),
    ("/ambassadors/log", "POST"): only(302, AMBASSADOR),
    ("/ambassadors/me", "GET"): everyone(200),  # others get an explanation
    ("/ambassadors/network", "GET"): only(200, AMBASSADOR, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/action-items", "GET"): everyone(200),
    ("/api/action-items", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/action-items/<int:item_id>", "DELETE"): only(204, CX_LEADER, ADMIN),
    ("/api/action-items/<int:item_id>", "GET"): everyone(200),
    ("/api/action-items/<int:item_id>", "PATCH"): only(200, MEMBER, CX_LEADER, ADMIN),
    ("/api/ambassador-actions", "GET"): everyone(200),
    ("/api/ambassador-actions", "POST"): only(201, AMBASSADOR, CX_LEADER, ADMIN),
    ("/api/ambassador-actions/<int:action_id>", "DELETE"): only(204, AMBASSADOR, CX_LEADER, ADMIN),
    ("/api/ambassador-actions/<int:action_id>", "GET"): everyone(200),
    ("/api/ambassador-actions/<int:action_id>", "PATCH"): only(200, AMBASSADOR, CX_LEADER, ADMIN),
    ("/api/ambassador-actions/<int:action_id>/initiative", "POST"): only(201, AMBASSADOR, CX_LEADER, ADMIN),
    ("/api/ambassadors", "GET"): everyone(200),
    ("/api/ambassadors", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/ambassadors/<int:ambassador_id>", "DELETE"): only({204, 409}, CX_LEADER, ADMIN),  # 409: it has actions
    ("/api/ambassadors/<int:ambassador_id>", "GET"): everyone(200),
    ("/api/ambassadors/<int:ambassador_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    ("/api/audit", "GET"): only(200, CX_LEADER, ADMIN),
    ("/api/auth/tokens", "POST"): everyone(201, anonymous=201),
    ("/api/auth/tokens/current", "DELETE"): everyone(204),
    ("/api/committees", "GET"): everyone(200),
    ("/api/committees", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/committees/<int:committee_id>", "DELETE"): only({204, 409}, CX_LEADER, ADMIN),  # 409: it has meetings
    ("/api/committees/<int:committee_id>", "GET"): everyone(200),
    ("/api/committees/<int:committee_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    ("/api/committees/<int:committee_id>/members", "GET"): everyone(200),
    ("/api/committees/<int:committee_id>/series", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/committees/<int:committee_id>/sections", "GET"): everyone(200),
    ("/api/committees/<int:committee_id>/sections", "PUT"): only(200, CX_LEADER, ADMIN),
    ("/api/series/<int:series_id>", "GET"): everyone(200),
    ("/api/series/<int:series_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    ("/api/series/<int:series_id>/invite.ics", "GET"): everyone(200),
    ("/committees/<int:committee_id>/series/new", "GET"): only(200, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/series/new", "POST"): only(302, CX_LEADER, ADMIN),
    ("/series/<int:series_id>", "GET"): everyone(200),
    ("/series/<int:series_id>/invite.ics", "GET"): everyone(200),
    ("/series/<int:series_id>/rule", "POST"): only(302, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/quorum", "POST"): only(302, CX_LEADER, ADMIN),
    ("/api/committees/<int:committee_id>/members", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/committees/<int:committee_id>/members/<int:member_id>", "DELETE"): only(204, CX_LEADER, ADMIN),
    ("/api/committees/<int:committee_id>/members/<int:member_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    # the decision register and trace: everyone reads (the trace's money only who may read the ROI)
    ("/api/decisions", "GET"): everyone(200),
    ("/api/decisions/<int:decision_id>/trace", "GET"): everyone(200),
    ("/api/departments", "GET"): everyone(200),
    ("/api/departments", "POST"): only(201, ADMIN),
    ("/api/departments/<int:department_id>", "DELETE"): only({204, 409}, ADMIN),  # 409: it has users
    ("/api/departments/<int:department_id>", "GET"): everyone(200),
    ("/api/departments/<int:department_id>", "PATCH"): only(200, ADMIN),
    ("/api/initiatives", "GET"): everyone(200),
    ("/api/initiatives", "POST"): only(201, MEMBER, AMBASSADOR, OWNER, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>", "DELETE"): only(204, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>", "GET"): everyone(200),
    ("/api/initiatives/<int:initiative_id>", "PATCH"): only(200, MEMBER, CX_LEADER, ADMIN),
    # the business case
    ("/api/initiatives/<int:initiative_id>/baseline", "GET"): only(200, MEMBER, EXECUTIVE, CX_LEADER, ADMIN),
    # 422: the dataset's decision is not a rebaseline_initiative one (permission is decided first).
    ("/api/initiatives/<int:initiative_id>/baseline", "POST"): only(422, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/baselines", "GET"): only(200, MEMBER, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/reviews", "GET"): everyone(200),
    ("/api/reviews/<int:review_id>", "GET"): everyone(200),
    ("/api/reviews/<int:review_id>/verdict", "POST"): only(200, CX_LEADER, ADMIN),
    # the business case: as ROI
    ("/api/initiatives/<int:initiative_id>/cash-flows", "GET"): only(200, MEMBER, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/cash-flows", "POST"): only(201, MEMBER, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/cash-flows/<int:cash_flow_id>", "DELETE"):
        only(204, MEMBER, CX_LEADER, ADMIN),
    # the business case: as ROI
    ("/api/initiatives/<int:initiative_id>/cash-flows/<int:cash_flow_id>", "GET"):
        only(200, MEMBER, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/cash-flows/<int:cash_flow_id>", "PATCH"):
        only(200, MEMBER, CX_LEADER, ADMIN),
    # the business case: as ROI
    ("/api/initiatives/<int:initiative_id>/impacts", "GET"): only(200, MEMBER, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/impacts", "POST"): only(201, MEMBER, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/impacts/<int:impact_id>", "DELETE"): only(204, MEMBER, CX_LEADER, ADMIN),
    # the business case: as ROI
    ("/api/initiatives/<int:initiative_id>/impacts/<int:impact_id>", "GET"):
        only(200, MEMBER, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/impacts/<int:impact_id>", "PATCH"): only(200, MEMBER, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/readiness", "GET"): everyone(200),
    ("/api/initiatives/<int:initiative_id>/roi", "GET"): only(200, MEMBER, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/initiatives/<int:initiative_id>/transitions", "GET"): everyone(200),
    ("/api/initiatives/<int:initiative_id>/transitions", "POST"): only(201, MEMBER, CX_LEADER, ADMIN),
    ("/api/journeys", "GET"): everyone(200),
    ("/api/journeys", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>", "DELETE"): only({204, 409}, OWNER, CX_LEADER, ADMIN),  # 409: it has initiatives
    ("/api/journeys/<int:journey_id>", "GET"): everyone(200),
    ("/api/journeys/<int:journey_id>", "PATCH"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/stages", "GET"): everyone(200),
    ("/api/journeys/<int:journey_id>/stages", "POST"): only(201, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/stages/<int:stage_id>", "DELETE"): only(204, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/stages/<int:stage_id>", "GET"): everyone(200),
    ("/api/journeys/<int:journey_id>/stages/<int:stage_id>", "PATCH"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/targets", "GET"): everyone(200),
    ("/api/journeys/<int:journey_id>/targets", "POST"): only(201, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/targets/<int:target_id>", "DELETE"): only(204, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/targets/<int:target_id>", "GET"): everyone(200),
    ("/api/journeys/<int:journey_id>/targets/<int:target_id>", "PATCH"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/touchpoints", "GET"): everyone(200),
    ("/api/journeys/<int:journey_id>/touchpoints", "POST"): only(201, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>", "DELETE"): only(204, OWNER, CX_LEADER, ADMIN),
    ("/api/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>", "GET"): everyone(200),
    ("/api/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>", "PATCH"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/api/measurements", "GET"): everyone(200),
    ("/api/measurements", "POST"): only(201, OWNER, CX_LEADER, ADMIN),
    ("/api/measurements/<int:measurement_id>", "DELETE"): only(204, OWNER, CX_LEADER, ADMIN),
    ("/api/measurements/<int:measurement_id>", "GET"): everyone(200),
    ("/api/measurements/<int:measurement_id>", "PATCH"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/api/measurements/from-scores", "POST"): only(201, OWNER, CX_LEADER, ADMIN),
    ("/api/measurements/import", "POST"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/api/imports/<int:job_id>", "GET"): only(200, OWNER, CX_LEADER, ADMIN),  # the uploader
    ("/api/meetings", "GET"): everyone(200),
    ("/api/meetings", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>", "DELETE"): only(204, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/agenda-items", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>/agenda-items", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/agenda-items/<int:item_id>", "DELETE"): only(204, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/agenda-items/<int:item_id>", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>/agenda-items/<int:item_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/agenda-items/order", "PUT"): only(200, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/agenda-items/suggested", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>/agenda-items/suggested", "POST"): only(200, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/agenda/standing", "POST"): only(200, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/attendance", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>/attendance", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/attendance/<int:user_id>", "PUT"): only(200, CX_LEADER, ADMIN),
    # a committee member answers their own invitation; nobody else, whatever their role
    ("/api/meetings/<int:meeting_id>/attendance/me", "PUT"): only(200, MEMBER),
    ("/api/meetings/<int:meeting_id>/decisions", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>/decisions", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/decisions/<int:decision_id>", "DELETE"): only(204, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/decisions/<int:decision_id>", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>/decisions/<int:decision_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/invite.ics", "GET"): everyone(200),
    ("/api/meetings/<int:meeting_id>/pack", "GET"): everyone(200),  # ROI figures only for who may read them
    ("/api/meetings/<int:meeting_id>/minutes/corrections", "GET"): everyone(200),
    # 409: not published
    ("/api/meetings/<int:meeting_id>/minutes/corrections", "POST"): only({201, 409}, CX_LEADER, ADMIN),
    ("/api/meetings/<int:meeting_id>/minutes/publish", "POST"): only({200, 409}, CX_LEADER, ADMIN),  # 409: not held
    ("/api/metrics", "GET"): everyone(200),
    ("/api/metrics", "POST"): only(201, CX_LEADER, ADMIN),
    ("/api/metrics/<int:metric_id>", "DELETE"): only(204, CX_LEADER, ADMIN),
    ("/api/metrics/<int:metric_id>", "GET"): everyone(200),
    ("/api/metrics/<int:metric_id>", "PATCH"): only(200, CX_LEADER, ADMIN),
    ("/api/notifications", "GET"): everyone(200),
    ("/api/notifications/failed", "GET"): only(200, ADMIN),
    # Someone else's notification does not exist for you.
    ("/api/notifications/<int:notification_id>/read", "POST"): only(200, MEMBER, others=404),
    ("/api/notifications/read-all", "POST"): everyone(200),
    ("/api/openapi.json", "GET"): everyone(200),
    ("/api/reports/ambassadors", "GET"): only(200, AMBASSADOR, EXECUTIVE, CX_LEADER, ADMIN),
    ("/api/reports/benefits", "GET"): everyone(200),  # members: their own initiatives only
    ("/api/reports/benefits.csv", "GET"): everyone(200),
    ("/api/reports/journeys/<int:journey_id>", "GET"): everyone(200),
    ("/api/reports/stages", "GET"): everyone(200),
    ("/api/reports/roi", "GET"): everyone(200),
    ("/api/reports/roi.csv", "GET"): everyone(200),
    ("/api/users", "GET"): everyone(200),
    ("/api/users", "POST"): only(201, ADMIN),
    ("/api/users/<int:user_id>", "GET"): everyone(200),
    ("/api/users/<int:user_id>", "PATCH"): only(200, ADMIN),
    ("/api/users/me", "GET"): everyone(200),
    ("/api/users/me", "PATCH"): everyone(200),
    ("/committees", "GET"): everyone(200),
    ("/committees", "POST"): only(302, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/members", "POST"): only(302, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/members/<int:member_id>/remove", "POST"): only(302, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/sections", "POST"): only(302, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/sections/<int:section_id>/move", "POST"): only(302, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/sections/<int:section_id>/remove", "POST"): only(302, CX_LEADER, ADMIN),
    ("/committees/<int:committee_id>/sections/<int:section_id>/rename", "POST"): only(302, CX_LEADER, ADMIN),
    ("/decisions", "GET"): everyone(200),
    ("/decisions/<int:decision_id>", "GET"): everyone(200),
    ("/healthz", "GET"): everyone(200, anonymous=200),
    ("/initiatives", "GET"): everyone(200),
    # what the initiative fields (the steering meeting's, the ambassador's log) offer as one types:
    # every initiative is readable by everyone signed in
    ("/initiatives/options", "GET"): everyone(200),
    ("/initiatives/<int:initiative_id>/reviews/<int:review_id>/verdict", "POST"): only(302, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>", "GET"): everyone(200),
    ("/initiatives/<int:initiative_id>/cash-flows", "POST"): only(302, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/cash-flows/<int:cash_flow_id>/delete", "POST"):
        only(302, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/new", "GET"): only(200, MEMBER, AMBASSADOR, OWNER, CX_LEADER, ADMIN),
    ("/initiatives/new", "POST"): only(302, MEMBER, AMBASSADOR, OWNER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/edit", "GET"): only(200, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/edit", "POST"): only(302, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/transitions", "POST"): only(302, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/impacts", "POST"): only(302, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/impacts/<int:impact_id>/edit", "GET"): only(200, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/impacts/<int:impact_id>/edit", "POST"): only(302, MEMBER, CX_LEADER, ADMIN),
    ("/initiatives/<int:initiative_id>/impacts/<int:impact_id>/delete", "POST"):
        only(302, MEMBER, CX_LEADER, ADMIN),
    ("/journeys", "GET"): everyone(200),
    ("/journeys/<int:journey_id>", "GET"): everyone(200),
    # a KPI chart's picture: whoever reads the journey page
    ("/journeys/<int:journey_id>/charts/<int:metric_id>.svg", "GET"): everyone(200),
    ("/journeys/upload", "GET"): everyone(200),
    ("/imports/<int:job_id>", "GET"): only(200, OWNER, CX_LEADER, ADMIN),  # the uploader
    ("/journeys/upload", "POST"): only(200, OWNER, CX_LEADER, ADMIN),  # the preview
    ("/journeys/upload/confirm", "POST"): only(200, OWNER, CX_LEADER, ADMIN),  # a preview first (the world)
    ("/journeys/new", "GET"): only(200, CX_LEADER, ADMIN),
    ("/journeys/new", "POST"): only(302, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/edit", "GET"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/edit", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/stages", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/stages/<int:stage_id>/edit", "GET"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/stages/<int:stage_id>/edit", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/stages/<int:stage_id>/move", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    # a refusal (measurements on it) is flashed on the way back: 302 either way
    ("/journeys/<int:journey_id>/stages/<int:stage_id>/remove", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/touchpoints", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/edit", "GET"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/edit", "POST"):
        only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/remove", "POST"):
        only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/targets", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/targets/<int:target_id>/edit", "GET"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/targets/<int:target_id>/edit", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/targets/<int:target_id>/remove", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/stages/<int:stage_id>/status", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/touchpoints/<int:touchpoint_id>/status", "POST"):
        only(302, OWNER, CX_LEADER, ADMIN),
    ("/reports/stages", "GET"): everyone(200),
    ("/journeys/<int:journey_id>/measurements/new", "GET"): only(200, OWNER, CX_LEADER, ADMIN),
    ("/journeys/<int:journey_id>/measurements/new", "POST"): only(302, OWNER, CX_LEADER, ADMIN),
    ("/login", "GET"): everyone(302, anonymous=200),
    ("/login", "POST"): everyone(302),
    ("/logout", "POST"): everyone(302),
    ("/meetings", "GET"): everyone(200),
    ("/meetings", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>", "GET"): everyone(200),
    ("/meetings/<int:meeting_id>/invite.ics", "GET"): everyone(200),
    ("/meetings/<int:meeting_id>/pack.pdf", "GET"): everyone(200),
    ("/meetings/<int:meeting_id>/action-items", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/agenda", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", "GET"): only(200, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/agenda/suggested", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/agenda/standing", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/attendance", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/attendance/me", "POST"): only(302, MEMBER),
    ("/meetings/<int:meeting_id>/decisions", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/edit", "GET"): only(200, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/edit", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/minutes", "GET"): everyone(200),
    ("/meetings/<int:meeting_id>/minutes", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/minutes.pdf", "GET"): everyone(200),
    # 422: not published, said on the form
    ("/meetings/<int:meeting_id>/minutes/corrections", "POST"): only({302, 422}, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/minutes/publish", "POST"): only(302, CX_LEADER, ADMIN),
    ("/meetings/<int:meeting_id>/status", "POST"): only(302, CX_LEADER, ADMIN),
    ("/my/action-items", "GET"): everyone(200),
    ("/notifications", "GET"): everyone(200),
    ("/notifications/<int:notification_id>/read", "POST"): only(302, MEMBER, others=404, anonymous=302),
    ("/notifications/read-all", "POST"): everyone(302),
    ("/reports/benefits.csv", "GET"): everyone(200),
    ("/reports/roi", "GET"): everyone(200),
    ("/reports/roi.pdf", "GET"): everyone(200),
    ("/reports/roi.csv", "GET"): everyone(200),
}


def routes(app):
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - SKIPPED_METHODS if rule.endpoint != "static"}


def expected_status(rule, method, role):
    status = EXPECTED[(rule, method)][role]
    if status is None:  # anonymous, by default
        return 401 if rule.startswith("/api") else 302
    return status


@pytest.fixture(scope="module")
def world(_shared_app, database_template):
    from tests.conftest import _restore_postgresql

    if database_template["kind"] == "sqlite":
        shutil.copyfile(database_template["template"], database_template["path"])
    else:
        _restore_postgresql(database_template)
    return World(_shared_app, database_template)


def test_every_route_has_a_row(app):
    actual = routes(app)
    assert sorted(actual - set(EXPECTED)) == [], "routes without a row in the authorization matrix"
    assert sorted(set(EXPECTED) - actual) == [], "rows for routes that no longer exist"


def test_the_matrix_covers_every_role():
    for key, row in EXPECTED.items():
        assert set(row) == set(ROLES), key


@pytest.mark.parametrize("rule, method", sorted(EXPECTED), ids=[f"{m} {r}" for r, m in sorted(EXPECTED)])
def test_authorization(world, rule, method):
    world.restore()
    wrong = []
    for role in ROLES:
        expected = expected_status(rule, method, role)
        acceptable = expected if isinstance(expected, set) else {expected}
        before = world.audit_count() if method != "GET" else None
        response = world.request(rule, method, role)
        status = response.status_code
        if status not in acceptable:
            body = response.get_data(as_text=True)[:200]
            wrong.append(f"{role}: expected {sorted(acceptable)}, got {status} {body!r}")
        elif status == 302 and role == "anonymous" and rule not in ("/login", "/logout"):
            if not response.headers["Location"].startswith("/login"):
                wrong.append(f"anonymous: redirected to {response.headers['Location']}, not /login")
        if method != "GET" and status in (401, 403, 404) and world.audit_count() != before:
            wrong.append(f"{role}: refused with {status} but something was written")
        if method != "GET" and (status < 400 or status >= 500):
            world.restore()
    assert not wrong, f"{method} {rule}\n" + "\n".join(wrong)


# Writes that honour If-Match (SPEC §4): a caller who may not make the change learns that (403)
# before anything about the resource's version (412), on every one of them, and on every other
# API write some role may not make (a creation, a transition, a publication) as well.
STALE = {"If-Match": '"stale-0-v0"'}
CONDITIONAL = sorted((rule, method) for rule, method in EXPECTED
                     if rule.startswith("/api") and method in ("PATCH", "PUT", "DELETE")
                     and any(EXPECTED[(rule, method)][role] == 403 for role in SIGNED_IN))
WRITES = sorted((rule, method) for rule, method in EXPECTED
                if rule.startswith("/api") and method != "GET"
                and any(EXPECTED[(rule, method)][role] == 403 for role in SIGNED_IN))
# Writes that answer 412 to a stale If-Match: the PATCHes and DELETEs, and publishing minutes.
HONOUR_IF_MATCH = [key for key in CONDITIONAL if key[1] in ("PATCH", "DELETE")] + [
    ("/api/meetings/<int:meeting_id>/minutes/publish", "POST")]


def test_conditional_writes_are_enumerated():
    writes = {(rule, method) for rule, method in EXPECTED
              if rule.startswith("/api") and method in ("PATCH", "PUT", "DELETE")}
    # Every API write that honours If-Match, but your own account and your own token (always yours).
    assert writes - set(CONDITIONAL) == {("/api/users/me", "PATCH"), ("/api/auth/tokens/current", "DELETE")}
    assert ("/api/committees/<int:committee_id>", "PATCH") in CONDITIONAL
    assert ("/api/meetings/<int:meeting_id>", "PATCH") in CONDITIONAL
    assert ("/api/action-items/<int:item_id>", "PATCH") in CONDITIONAL
    assert set(CONDITIONAL) < set(WRITES)
    assert ("/api/ambassadors", "POST") in WRITES
    assert ("/api/initiatives/<int:initiative_id>/transitions", "POST") in WRITES


def test_the_writes_answering_412_are_the_ones_documenting_it(app):
    """The API's description names 412 exactly on the writes the test below sends a stale
    If-Match to (and on your own account, which is always yours)."""
    import re

    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    with app.app_context():
        paths = api.spec.to_dict()["paths"]
    documented = {(re.sub(r"\{(\w+)\}", r"<int:\1>", path), method.upper())
                  for path, operations in paths.items() for method, operation in operations.items()
                  if isinstance(operation, dict) and "412" in operation.get("responses", {})}
    assert documented - set(HONOUR_IF_MATCH) == {("/api/users/me", "PATCH")}
    assert set(HONOUR_IF_MATCH) <= documented


@pytest.mark.parametrize("rule, method", WRITES, ids=[f"{m} {r}" for r, m in WRITES])
def test_a_forbidden_role_with_a_stale_if_match_gets_403(world, rule, method):
    world.restore()
    wrong = []
    for role in SIGNED_IN:
        if expected_status(rule, method, role) != 403:
            continue
        before = world.audit_count()
        response = world.request(rule, method, role, headers=STALE)
        if response.status_code != 403:
            wrong.append(f"{role}: expected 403, got {response.status_code} {response.get_data(as_text=True)[:200]!r}")
        if world.audit_count() != before:
            wrong.append(f"{role}: refused but something was written")
    assert not wrong, f"{method} {rule} with a stale If-Match\n" + "\n".join(wrong)


@pytest.mark.parametrize("rule, method", HONOUR_IF_MATCH, ids=[f"{m} {r}" for r, m in HONOUR_IF_MATCH])
def test_an_allowed_role_with_a_stale_if_match_gets_412(world, rule, method):
    """The other half: the header is honoured, so the 403 above is the permission speaking."""
    world.restore()
    allowed = [role for role in SIGNED_IN if expected_status(rule, method, role) not in (403, 404)]
    response = world.request(rule, method, allowed[-1], headers=STALE)
    assert response.status_code == 412, response.get_data(as_text=True)[:300]


# `?as_sent=true` of the pack (API and PDF): the copy the reminders sent, to every signed-in role
# as to the live pack; 404 before any was sent. (Its figures are redacted per reader: tests/steering/test_pack.py.)
PACK_AS_SENT = {
    "/api/meetings/{meeting_id}/pack?as_sent=true": everyone(200, anonymous=401),
    "/meetings/{meeting_id}/pack.pdf?as_sent=true": everyone(200, anonymous=302),
}


def test_the_pack_as_sent_by_role(world):
    from cxgov.db import utcnow
    from cxgov.extensions import db
    from cxgov.steering import pack

    world.restore()
    meeting_id = world.ids["meeting_id"]
    url = {pattern: pattern.format(meeting_id=meeting_id) for pattern in PACK_AS_SENT}
    for pattern in PACK_AS_SENT:  # none sent yet
        assert world.client(CX_LEADER, pattern.startswith("/api")).get(url[pattern]).status_code == 404
    with world.app.app_context():
        pack.store(meeting_id, utcnow())
        db.session.commit()
    wrong = []
    for pattern, statuses in PACK_AS_SENT.items():
        for role in ROLES:
            client = world.app.test_client() if role == "anonymous" else world.client(role, pattern.startswith("/api"))
            status = client.get(url[pattern]).status_code
            if status != statuses[role]:
                wrong.append(f"{role} {pattern}: expected {statuses[role]}, got {status}")
    world.restore()
    assert not wrong, "\n".join(wrong)
