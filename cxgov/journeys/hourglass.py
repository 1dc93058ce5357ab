"""The customer hourglass: the ten stages a journey is laid out on, in order, with their phase
(six before the sale, four after it). A journey uses the stages it needs, in this order.

A stage's `stage_type` is one of the ten (which fixes its phase) or `custom` (its phase is the
journey owner's choice); typed stages compare across journeys (SPEC §10)."""
from flask_babel import lazy_gettext as _l

STAGES = (
    ("Engagement", "pre_sale"), ("Education", "pre_sale"), ("Research", "pre_sale"),
    ("Evaluation", "pre_sale"), ("Justification", "pre_sale"), ("Purchase", "pre_sale"),
    ("Adoption", "post_sale"), ("Retention", "post_sale"), ("Expansion", "post_sale"), ("Advocacy", "post_sale"),
)

# {"engagement": "pre_sale", …}: each standard type and the phase it fixes, in hourglass order.
PHASE_OF = {name.lower(): phase for name, phase in STAGES}
CUSTOM = "custom"
STAGE_TYPES = (*PHASE_OF, CUSTOM)
TEMPLATES = ("hourglass",)

# The standard stages as the reader's language names them (the names the template gives stages).
NAMES = {
    "Engagement": _l("Engagement"), "Education": _l("Education"), "Research": _l("Research"),
    "Evaluation": _l("Evaluation"), "Justification": _l("Justification"), "Purchase": _l("Purchase"),
    "Adoption": _l("Adoption"), "Retention": _l("Retention"), "Expansion": _l("Expansion"),
    "Advocacy": _l("Advocacy"),
}


def standard_type(name):
    """The standard type a stage's name spells (any case, outer spaces ignored), or None."""
    key = (name or "").strip().lower()
    return key if key in PHASE_OF else None


def display_name(name):
    """A stage's name as a page shows it: a standard stage still named as the template named it
    ("Purchase") in the reader's language; any name a person typed as they typed it."""
    translated = NAMES.get(name)
    return str(translated) if translated is not None else name


def type_name(stage_type):
    """A standard stage type ("purchase") in the reader's language ("Compra")."""
    for name, _phase in STAGES:
        if name.lower() == stage_type:
            return display_name(name)
    return stage_type


def template_stages(template):
    """The stages a journey created from `template` starts with: name, type and phase, in order."""
    assert template in TEMPLATES
    return [{"name": name, "stage_type": name.lower(), "phase": phase} for name, phase in STAGES]
