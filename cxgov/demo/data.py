"""The demo organisation as data: its people, journeys, initiatives and their lives, meetings
and what its ambassadors do. Days are relative to the day it is seeded."""

SEED = 2026
PASSWORD = "demo-password-1"
DOMAIN = "demo.cxgov.example"

DEPARTMENTS = [
    ("Sales", "SAL"), ("Marketing", "MKT"), ("Customer Service", "CS"), ("Claims", "CLM"),
    ("Operations", "OPS"), ("IT", "IT"), ("Finance", "FIN"), ("HR", "HR"),
]

# (email local part, name, role, department code)
PEOPLE = [
    ("admin", "Alex Brandt", "admin", "IT"),
    ("ceo", "Katrin Hoffmann", "executive", None),
    ("lena.fischer", "Lena Fischer", "cx_leader", "CS"),
    ("jana.becker", "Jana Becker", "cx_leader", "MKT"),
    ("martin.schulz", "Martin Schulz", "executive", "FIN"),
    ("sabine.wolf", "Sabine Wolf", "executive", "OPS"),
    ("tom.wagner", "Tom Wagner", "member", "CS"),
    ("aylin.demir", "Aylin Demir", "member", "CS"),
    ("mehmet.yilmaz", "Mehmet Yilmaz", "member", "CLM"),
    ("julia.krause", "Julia Krause", "member", "CLM"),
    ("felix.neumann", "Felix Neumann", "member", "CLM"),
    ("nina.schmitt", "Nina Schmitt", "member", "SAL"),
    ("lukas.meyer", "Lukas Meyer", "member", "SAL"),
    ("sofia.rossi", "Sofia Rossi", "member", "SAL"),
    ("paul.richter", "Paul Richter", "member", "MKT"),
    ("emma.klein", "Emma Klein", "member", "MKT"),
    ("jonas.weber", "Jonas Weber", "member", "OPS"),
    ("clara.hartmann", "Clara Hartmann", "member", "OPS"),
    ("david.lange", "David Lange", "member", "IT"),
    ("mia.schubert", "Mia Schubert", "member", "IT"),
    ("oliver.koch", "Oliver Koch", "member", "FIN"),
    ("hanna.vogel", "Hanna Vogel", "member", "FIN"),
    ("leon.fuchs", "Leon Fuchs", "member", "HR"),
    ("marie.braun", "Marie Braun", "member", "HR"),
    ("ben.zimmermann", "Ben Zimmermann", "member", "OPS"),
    ("ida.peters", "Ida Peters", "member", "CLM"),
]

# Whom to sign in as, one demo person per kind of user (`make run` and the README name them).
SIGN_IN_AS = [
    ("CX leader", "lena.fischer"),
    ("CEO", "ceo"),
    ("admin", "admin"),
    ("ambassador", "emma.klein"),  # Marketing's active ambassador
    ("journey owner", "mehmet.yilmaz"),  # owns the "Home insurance claim" journey
    ("member", "leon.fuchs"),  # neither an ambassador nor a journey owner
]

# Ambassadors: one active in every department but HR; Finance's has been silent for months
# (nothing in the last 90 days: a health score of coverage alone), Operations' does little and
# not lately (an average score), Marketing's is busy and saw an idea become an initiative (healthy).
AMBASSADORS = {"SAL": "lukas.meyer", "MKT": "emma.klein", "CS": "aylin.demir", "CLM": "julia.krause",
               "OPS": "clara.hartmann", "IT": "mia.schubert", "FIN": "hanna.vogel"}
SILENT_AMBASSADOR = "FIN"
AVERAGE_AMBASSADOR = "OPS"
AVERAGE_KINDS = ("training", "customer_story")

CUSTOM_METRICS = [
    ("first_contact_resolution", "First contact resolution", "operational", "%", "higher_is_better"),
    ("claim_cycle_days", "Claim cycle time", "operational", "days", "lower_is_better"),
    ("cost_to_serve", "Cost to serve per customer", "financial", "EUR", "lower_is_better"),
]

# name → (owner, segment, description, {stage: [(touchpoint, channel, department code)]})
JOURNEYS = {
    "Home insurance claim": ("mehmet.yilmaz", "Home insurance customers",
        "From the first notice of a loss to the settled claim and what the customer tells others.", {
            "Adoption": [("Report the loss on the claims hotline", "phone", "CLM"),
                         ("Report the loss in the app", "app", "IT"),
                         ("Broker reports the loss", "partner", "SAL")],
            "Retention": [("Loss adjuster visit", "field", "CLM"), ("Claim status updates", "email", "CLM"),
                          ("Questions in the web chat", "chat", "CS"), ("Upload photos and invoices", "app", "CLM")],
            "Expansion": [("Settlement letter", "mail", "CLM"), ("Offer of extended water-damage cover", "phone", "SAL")],
            "Advocacy": [("Post-claim survey", "email", "CS"), ("Reviews on social media", "social", "MKT")],
        }),
    "New customer onboarding": ("nina.schmitt", "Private customers",
        "From first hearing about us to the first year as a customer.", {
            "Engagement": [("Online advertising", "social", "MKT")],
            "Education": [("Insurance guides on the website", "web", "MKT")],
            "Research": [("Price calculator", "web", "SAL"), ("Comparison portals", "partner", "SAL")],
            "Evaluation": [("Advice at the branch", "store", "SAL"), ("Broker phone call", "phone", "SAL")],
            "Justification": [("Written offer", "email", "SAL")],
            "Purchase": [("Online contract signing", "web", "IT"), ("Signing at the branch", "store", "SAL")],
            "Adoption": [("Welcome pack", "mail", "OPS"), ("App registration", "app", "IT")],
            "Retention": [("First premium invoice", "email", "FIN")],
            "Expansion": [("Household cover offer", "phone", "SAL")],
            "Advocacy": [("Refer-a-friend programme", "web", "MKT")],
        }),
    "Policy renewal": ("tom.wagner", "Existing customers",
        "The yearly renewal: notice, comparison, questions, and the decision to stay.", {
            "Evaluation": [("Renewal notice", "mail", "OPS"), ("Price comparison", "partner", "SAL")],
            "Purchase": [("Renewal confirmation", "email", "OPS"), ("Cancellation call", "phone", "CS")],
            "Retention": [("Retention offer by the service desk", "phone", "CS"), ("Premium change explained in the app", "app", "IT")],
            "Expansion": [("Bundle discount", "web", "SAL")],
            "Advocacy": [("Loyalty thank-you letter", "mail", "MKT")],
        }),
}

# metric → (source, per-journey base value, monthly noise, places)
METRIC_BASES = {
    "nps": ("survey", {"Home insurance claim": 6, "New customer onboarding": 24, "Policy renewal": 14}, 3, 0),
    "csat": ("survey", {"Home insurance claim": 71, "New customer onboarding": 82, "Policy renewal": 78}, 2, 1),
    "ces": ("survey", {"Home insurance claim": 4.6, "New customer onboarding": 3.4, "Policy renewal": 3.1}, 0.15, 2),
    "churn_rate": ("crm", {"Home insurance claim": 11.5, "New customer onboarding": 9.0, "Policy renewal": 12.5}, 0.5, 1),
    "retention_rate": ("crm", {"Home insurance claim": 86, "New customer onboarding": 89, "Policy renewal": 84}, 1, 1),
    "first_contact_resolution": ("import", {"Home insurance claim": 64, "New customer onboarding": 78, "Policy renewal": 72}, 2, 1),
    "claim_cycle_days": ("import", {"Home insurance claim": 16}, 0.8, 1),
    "cost_to_serve": ("import", {"Home insurance claim": 185, "New customer onboarding": 96, "Policy renewal": 41}, 4, 2),
}

# journey → [(metric, stage or None, target value, due in days)]: what each journey owner commits to.
TARGETS = {
    "Home insurance claim": [("nps", None, 15, 120), ("claim_cycle_days", None, 12, 200)],
    "New customer onboarding": [("nps", None, 25, 90), ("csat", None, 85, 180)],
    "Policy renewal": [("churn_rate", None, 10, 150), ("retention_rate", "Retention", 88, 240)],
}

# The hourglass at work (SPEC §10): CSAT measured on stages over the last three months (oldest
# first) and stage targets on it — a mix of met, near and off track; a touchpoint measured for a
# while and then retired; and an employee journey laid out on the hourglass template.
STAGE_MEASURES = {
    ("Home insurance claim", "Adoption"): (70, 71, 72), ("Home insurance claim", "Retention"): (76, 77, 78),
    ("Home insurance claim", "Advocacy"): (81, 82, 83), ("New customer onboarding", "Purchase"): (86, 87, 88),
    ("New customer onboarding", "Adoption"): (72, 71, 70), ("New customer onboarding", "Retention"): (80, 80, 81),
    ("Policy renewal", "Purchase"): (77, 78, 79), ("Policy renewal", "Retention"): (75, 76, 76),
}
STAGE_TARGETS = [  # journey, stage, metric, value, due in days
    ("Home insurance claim", "Adoption", "csat", 85, 150), ("Home insurance claim", "Retention", "csat", 80, 120),
    ("Home insurance claim", "Advocacy", "csat", 80, 200), ("New customer onboarding", "Purchase", "csat", 85, 90),
    ("New customer onboarding", "Adoption", "csat", 80, 120), ("Policy renewal", "Purchase", "csat", 82, 180),
]
RETIRED_TOUCHPOINT = ("Home insurance claim", "Broker reports the loss", (74, 73, 75, 72))  # CSAT, months 9..6 ago
EMPLOYEE_JOURNEY = ("New hire onboarding", "nina.schmitt", "New colleagues",
                    "From the signed contract to the first six months in the team.",
                    {"Adoption": (64, 66, 69)})

# The initiatives and their lives, in days relative to today. Meetings are indexed 0..4 (held).
# status path, meeting of the decision, created, started, delivered, closed/cancelled
INITIATIVES = [
    dict(title="Claim status tracking in the app", journey="Home insurance claim", stage="Retention", dept="CLM",
         owner="julia.krause", sponsor="sabine.wolf", category="digital", path="closed", meeting=0,
         created=-600, start=-540, target=-420, delivered=-430, closed=-80,
         verdicts=["partly_achieved", "achieved", "achieved"],
         impacts=[("nps", 8, 15000, "0.6"), ("claim_cycle_days", -3, 30000, "0.5")], cost=(90000, 12000), benefit=88000),
    dict(title="Callback instead of the hold queue", journey="Home insurance claim", stage="Adoption", dept="CS",
         owner="aylin.demir", sponsor="ceo", category="process", path="delivered", meeting=2,
         created=-240, start=-215, target=-120, delivered=-130, verdicts=["inconclusive", "achieved"],
         impacts=[("csat", 6, 9000, "0.7"), ("first_contact_resolution", 8, 4000, "0.5")], cost=(45000, 8000), benefit=52000),
    dict(title="Digital welcome pack", journey="New customer onboarding", stage="Adoption", dept="OPS",
         owner="clara.hartmann", sponsor="sabine.wolf", category="digital", path="delivered", meeting=2,
         created=-250, start=-200, target=-60, delivered=-70, verdicts=["not_achieved"],
         impacts=[("churn_rate", -1.5, 40000, "0.6"), ("cost_to_serve", -8, 2500, "0.8")], cost=(60000, 10000), benefit=65000),
    dict(title="Paperless renewal letters", journey="Policy renewal", stage="Retention", dept="OPS",
         owner="jonas.weber", sponsor="martin.schulz", category="process", path="closed", meeting=0,
         created=-620, start=-550, target=-470, delivered=-475, closed=-110, achieved=0.35,
         verdicts=["not_achieved", "not_achieved", "inconclusive"],
         note="Customers kept asking for paper; the savings did not come.",
         impacts=[("cost_to_serve", -6, 3000, "0.5")], cost=(30000, 4000), benefit=38000),
    dict(title="Claims FAQ in plain words", journey="Home insurance claim", stage="Adoption", dept="CS",
         owner="aylin.demir", sponsor=None, category="process", path="delivered", meeting=4,
         created=-100, start=-70, target=-10, delivered=-12,
         impacts=[("first_contact_resolution", 3, 4000, "0.3")], cost=(12000, 2000), benefit=15000),
    dict(title="Renewal reminders by SMS and email", journey="Policy renewal", stage="Evaluation", dept="OPS",
         owner="jonas.weber", sponsor="martin.schulz", category="process", path="in_progress", meeting=3,
         created=-170, start=-140, target=45,
         impacts=[("retention_rate", 2, 50000, "0.5")], cost=(35000, 6000), benefit=48000),
    dict(title="Self-service portal for brokers", journey="New customer onboarding", stage="Evaluation", dept="SAL",
         owner="lukas.meyer", sponsor="ceo", category="digital", path="in_progress", meeting=4,
         created=-95, start=-60, target=120, rebaseline=(5, 30000, "The vendor's final quote came in higher."),
         impacts=[("nps", 5, 12000, "0.4")], cost=(150000, 25000), benefit=135000),
    dict(title="Plain-language policy documents", journey="Policy renewal", stage="Retention", dept="MKT",
         owner="emma.klein", sponsor="martin.schulz", category="policy", path="approved", meeting=5,
         created=-40, target=150,
         impacts=[("ces", -0.4, 30000, "0.5")], cost=(28000, 3000), benefit=26000),
    dict(title="Branch appointment booking online", journey="New customer onboarding", stage="Evaluation", dept="SAL",
         owner="nina.schmitt", sponsor="sabine.wolf", category="digital", path="approved", meeting=5,
         created=-35, target=180,
         impacts=[("csat", 3, 8000, "0.5")], cost=(22000, 4000), benefit=21000),
    dict(title="In-house 24/7 claims hotline", journey="Home insurance claim", stage="Adoption", dept="CLM",
         owner="felix.neumann", sponsor=None, category="people", path="rejected", meeting=4,
         created=-110, impacts=[("nps", 4, 10000, "0.4")], cost=(400000, 350000), benefit=120000),
    dict(title="Photo upload for damage reports", journey="Home insurance claim", stage="Adoption", dept="IT",
         owner="mia.schubert", sponsor=None, category="digital", path="proposed", created=-12,
         impacts=[("claim_cycle_days", -2, 30000, "0.5")], cost=(40000, 7000), benefit=45000),
    dict(title="Welcome video call for new customers", journey="New customer onboarding", stage="Adoption", dept="CS",
         owner="tom.wagner", sponsor=None, category="people", path="proposed", created=-6, overclaim=("churn_rate", "1"),
         impacts=[("churn_rate", -0.8, 40000, "0.4")], cost=(18000, 15000), benefit=30000),
    dict(title="Chatbot for policy questions", journey="Policy renewal", stage="Retention", dept="IT",
         owner="david.lange", sponsor="martin.schulz", category="digital", path="approved_then_cancelled", meeting=3,
         created=-165, target=-10, cancelled=-100, note="The vendor withdrew from the market.",
         impacts=[("first_contact_resolution", 5, 4000, "0.5")], cost=(70000, 15000), benefit=40000),
    dict(title="Loyalty discount pilot", journey="Policy renewal", stage="Retention", dept="FIN",
         owner="oliver.koch", sponsor=None, category="product", path="proposed_then_cancelled",
         created=-200, cancelled=-160, note="Superseded by the bundle discount.",
         impacts=[("retention_rate", 1.5, 50000, "0.5")], cost=(80000, 60000), benefit=90000),
]

PATHS = {
    "proposed": [],
    "approved": ["approved"],
    "in_progress": ["approved", "in_progress"],
    "delivered": ["approved", "in_progress", "delivered"],
    "closed": ["approved", "in_progress", "delivered", "closed"],
    "rejected": ["rejected"],
    "approved_then_cancelled": ["approved", "cancelled"],
    "proposed_then_cancelled": ["cancelled"],
}

HELD_MEETINGS = [-570, -300, -225, -150, -75, -21]
UPCOMING_MEETINGS = [9, 44]

ACTION_KINDS = {
    "training": ["Trained the team on empathetic call openings", "Workshop: writing letters customers understand",
                 "Onboarded new colleagues to the customer promise"],
    "customer_story": ["Shared a customer's claim story in the team meeting", "Posted a customer letter on the intranet",
                       "Told the story of a broker's difficult renewal"],
    "voc_session": ["Listened in on service calls with the team", "Ran a voice-of-customer session on complaints",
                    "Reviewed last month's survey comments together"],
    "improvement_idea": ["Suggested a simpler claim form", "Proposed a callback option for long queues",
                         "Idea: explain premium changes in the app"],
    "process_fix": ["Removed a duplicate signature from the renewal form", "Fixed the wrong hotline number on letters",
                    "Shortened the hand-over between service and claims"],
    "recognition": ["Thanked the night shift for the storm weekend", "Nominated a colleague for the CX award"],
    "other": ["Visited a branch to watch customers sign up", "Updated the team's CX notice board"],
}

COMMITTEE = dict(
    name="CX Steering Committee", chair="lena.fischer",
    charter="Steers the customer experience across departments: sets priorities, approves or "
            "rejects CX initiatives, tracks their delivery and the value they return.",
)
# Members in order, with their role on the committee (the others are plain members).
COMMITTEE_MEMBERS = ["lena.fischer", "tom.wagner", "ceo", "jana.becker", "martin.schulz", "sabine.wolf",
                     "nina.schmitt", "mehmet.yilmaz", "david.lange", "leon.fuchs"]
COMMITTEE_ROLES = {"lena.fischer": "chair", "tom.wagner": "secretary", "ceo": "sponsor"}

# The standing decision of this held meeting is corrected after its minutes were published.
CORRECTED_MEETING = 2
CORRECTION = "Correction: the KPI reports are due quarterly, not monthly, as the committee agreed."

# Each held meeting also takes one decision of its own, drawn from these.
STANDING_DECISIONS = [
    "Journey owners report their KPIs monthly from now on.",
    "The ambassador network is extended to every department.",
    "Initiatives above 100,000 EUR need a sponsor from the board.",
    "Customer stories open every steering meeting.",
    "The claims KPI review moves to a quarterly deep-dive.",
]

# (title, owner, index of the held meeting that set it, due in days, status)
ACTION_ITEMS = [
    ("Collect claims hotline wait times per week", "mehmet.yilmaz", 1, -280, "done"),
    ("Report the first usage figures of app claim tracking", "julia.krause", 1, -290, "done"),
    ("Share callback pilot results with Sales", "aylin.demir", 2, -190, "done"),
    ("Agree welcome-pack wording with Legal", "clara.hartmann", 2, -200, "done"),
    ("Prepare renewal letter A/B test", "jonas.weber", 3, -120, "done"),
    ("Find a replacement chatbot vendor", "david.lange", 3, -90, "cancelled"),
    ("Set up monthly KPI import from the CRM", "mia.schubert", 4, -30, "open"),
    ("Interview five brokers about the portal", "lukas.meyer", 4, -12, "open"),
    ("Publish the ambassador handbook", "jana.becker", 4, -5, "open"),
    ("Estimate running costs of plain-language documents", "emma.klein", 5, 1, "open"),
    ("Book customers for the onboarding video-call test", "tom.wagner", 5, 14, "open"),
    ("Propose KPI targets for next year", "lena.fischer", 5, 30, "open"),
    ("Clarify HR's ambassador nomination", "leon.fuchs", 5, 7, "open"),
]

# Marketing's ambassador before the current one: (user, department code, started, ended).
FORMER_AMBASSADOR = ("paul.richter", "MKT", -420, -200)
AMBASSADOR_ACTIONS = 80
# Ideas that became initiatives, and a fresh action of the healthy department:
# (department code, day, kind, title, the initiative proposed from the idea or None).
AMBASSADOR_STORIES = [
    ("CS", -105, "improvement_idea", "Idea: a claims FAQ in plain words", "Claims FAQ in plain words"),
    ("MKT", -46, "improvement_idea", "Idea: rewrite the policy documents in plain language",
     "Plain-language policy documents"),
    ("IT", -20, "improvement_idea", "Idea: let customers upload photos of the damage in the app",
     "Photo upload for damage reports"),
    ("MKT", -3, "training", "Plain-language writing workshop for the marketing team", None),
    ("OPS", -27, "customer_story", "Read a customer's letter at the operations stand-up", None),
]
