"""The journeys' codes as people read them, in their language: journey statuses and kinds, stage
phases, touchpoint channels and measurement sources. Added to the app's `label` filter
(cxgov.formatting.LABELS) without replacing a label it already has."""
from flask_babel import lazy_gettext as _l

from cxgov import formatting

LABELS = {
    # journey statuses and kinds
    "draft": _l("Draft"), "active": _l("Active"), "retired": _l("Retired"),
    "customer": _l("Customer"), "employee": _l("Employee"),
    # stage phases
    "pre_sale": _l("Pre-sale"), "post_sale": _l("Post-sale"),
    # touchpoint channels
    "web": _l("Web"), "app": _l("App"), "email": _l("Email"), "phone": _l("Phone"), "chat": _l("Chat"),
    "store": _l("Store"), "field": _l("Field"), "partner": _l("Partner"), "social": _l("Social media"),
    "mail": _l("Post"),
    # measurement sources
    "survey": _l("Survey"), "crm": _l("CRM"), "manual": _l("Entered by hand"),
    "import": _l("File import"),
    # ambassador network statuses
    "silent": _l("Silent"), "uncovered": _l("Uncovered"),
}


def register():
    for code, text in LABELS.items():
        formatting.LABELS.setdefault(code, text)


# The built-in metrics as the migrations seed them: shown in the reader's language while they keep
# that name (a name an admin changed is shown as typed).
BUILTIN_METRICS = {"nps": "Net Promoter Score", "csat": "Customer satisfaction", "ces": "Customer effort score",
                   "churn_rate": "Churn rate", "retention_rate": "Retention rate"}


def metric_name(metric):
    """A metric's name as a page shows it (`metric`: a Metric or the reports' dict)."""
    if isinstance(metric, dict):
        code, name = metric.get("code"), metric.get("name")
    else:
        code, name = getattr(metric, "code", None), getattr(metric, "name", None)
    if code in BUILTIN_METRICS and BUILTIN_METRICS[code] == name:
        return formatting.label(code)
    return name
