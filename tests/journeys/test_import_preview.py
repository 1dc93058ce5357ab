"""The import's preview: the same checks as the import, the changes it would make, nothing written."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cxgov.audit.models import AuditEntry
from cxgov.errors import Forbidden, Invalid
from cxgov.extensions import db
from cxgov.journeys import imports
from cxgov.journeys.models import Measurement
from cxgov.transaction import rollback
from tests import factories


@pytest.fixture
def owned(app):
    with app.app_context():
        owner = factories.create_user(name="Pia Owner")
        journey = factories.create_journey(owner=owner, name="Home claim")
        stage = factories.create_stage(journey, name="Report damage", phase="post_sale")
        factories.create_measurement(journey, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
                                     value=Decimal("12"), source="manual")
        factories.create_measurement(journey, period_start=date(2026, 2, 1), period_end=date(2026, 2, 28),
                                     value=Decimal("15"), source="import")
        db.session.commit()
        return owner.id, journey.id, stage.id


def _preview(actor_id, text, args=None, **kw):
    actor = db.session.get(factories.User, actor_id)
    try:
        return imports.preview_measurements(actor, text.encode(), args or {"format": "measurements"}, **kw)
    finally:
        rollback()


def _written():
    return (db.session.scalar(select(func.count()).select_from(Measurement)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)))


def test_preview_lists_new_and_replaced_measurements_and_writes_nothing(app, owned):
    owner_id, journey_id, stage_id = owned
    text = ("metric,journey_id,period_start,period_end,value,stage_id\n"
            f"nps,{journey_id},2026-01-01,2026-01-31,12,\n"  # same value, but source import: replaced
            f"nps,{journey_id},2026-02-01,2026-02-28,15,\n"  # identical: unchanged
            f"nps,{journey_id},2026-03-01,2026-03-31,21.5,{stage_id}\n")
    with app.app_context():
        before = _written()
        preview = _preview(owner_id, text)
        assert _written() == before
    assert {k: preview[k] for k in ("created", "updated", "unchanged", "rows")} == \
        {"created": 1, "updated": 1, "unchanged": 1, "rows": 3}
    [replaced], [new] = preview["replaced"], preview["new"]
    assert (replaced["line"], replaced["metric"], replaced["journey"], replaced["period_start"]) == \
        (2, "Net Promoter Score", "Home claim", date(2026, 1, 1))
    assert (replaced["old_value"], replaced["value"], replaced["old_source"], replaced["source"]) == \
        (Decimal("12"), Decimal("12"), "manual", "import")
    assert (new["line"], new["stage"], new["value"], new["period_end"]) == \
        (4, "Report damage", Decimal("21.5"), date(2026, 3, 31))


def test_preview_of_a_survey_export_shows_the_months_figure_it_replaces(app, owned):
    owner_id, journey_id, _ = owned
    text = "respondent,nps_score\n1,10\n2,9\n3,3\n4,10\n"
    args = {"format": "scores", "metric": "nps", "journey_id": journey_id,
            "period_start": date(2026, 2, 1), "period_end": date(2026, 2, 28)}
    with app.app_context():
        preview = _preview(owner_id, text, args)
        [replaced] = preview["replaced"]
        assert (replaced["old_value"], replaced["value"], replaced["sample_size"], replaced["source"]) == \
            (Decimal("15"), Decimal("50"), 4, "survey")
        assert preview["rows"] == 4 and preview["new"] == []
        # Confirmed, the import does what the preview said.
        actor = db.session.get(factories.User, owner_id)
        counts = imports.import_measurements(actor, text.encode(), args)
        assert counts == {"created": 0, "updated": 1, "unchanged": 0, "rows": 4}


def test_preview_refuses_what_the_import_refuses(app, owned):
    owner_id, journey_id, _ = owned
    with app.app_context():
        with pytest.raises(Invalid) as refused:
            _preview(owner_id, "metric,journey_id,period_start,period_end,value\n"
                               f"nps,{journey_id},2026-03-01,2026-03-31,twenty\n"
                               f"nps,{journey_id},2026-04-01,2026-04-30,1\n"
                               f"nps,{journey_id},2026-04-01,2026-04-30,2\n", limits=imports.Limits(chunk=1))
        assert refused.value.extra["lines"] == [
            {"line": 2, "errors": ["value: 'twenty' is not a number"]},
            {"line": 4, "errors": ["row: same metric, journey, stage, touchpoint and period as line 3"]}]
        other = factories.create_journey(name="Not theirs")
        db.session.commit()
        with pytest.raises(Forbidden):
            _preview(owner_id, f"metric,journey_id,period_start,period_end,value\nnps,{other.id},2026-03-01,"
                               "2026-03-31,1\n")


def test_preview_lists_at_most_the_first_changes_and_counts_all(app, owned):
    owner_id, journey_id, _ = owned
    text = "metric,journey_id,period_start,period_end,value\n" + "".join(
        f"csat,{journey_id},20{10 + n // 12}-{n % 12 + 1:02d}-01,20{10 + n // 12}-{n % 12 + 1:02d}-28,{n}\n"
        for n in range(30))
    with app.app_context():
        preview = _preview(owner_id, text, listed=5, limits=imports.Limits(chunk=7))
    assert preview["created"] == 30 and [c["line"] for c in preview["new"]] == [2, 3, 4, 5, 6]
