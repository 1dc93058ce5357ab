"""The customer hourglass: the ten stages a journey is laid out on, in order, with their phase
(six before the sale, four after it). A journey uses the stages it needs, in this order."""

STAGES = (
    ("Engagement", "pre_sale"), ("Education", "pre_sale"), ("Research", "pre_sale"),
    ("Evaluation", "pre_sale"), ("Justification", "pre_sale"), ("Purchase", "pre_sale"),
    ("Adoption", "post_sale"), ("Retention", "post_sale"), ("Expansion", "post_sale"), ("Advocacy", "post_sale"),
)
