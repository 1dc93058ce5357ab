"""What became of a steering decision (SPEC §8.5): its `outcome`, derived from plain facts.

    superseded            a later decision corrects it (whatever its kind)
    approve_initiative →  pending               approved (or still proposed), not started
                          in_delivery           in progress
                          delivered_unmeasured  delivered, no impact has an actual value, no verdict
                          measured              delivered, measured or reviewed, no final verdict
                          realised              final verdict achieved or partly_achieved
                          not_realised          final verdict not_achieved or inconclusive
                          cancelled             the initiative was cancelled
    reject_initiative  →  rejected
    any other kind     →  recorded

Choices where SPEC is silent:
- `closed` counts as delivered: an initiative closes only after its final verdict, so a closed
  one is `realised` or `not_realised`; closed without reviews (`CXGOV_REVIEW_DAYS` empty) it is
  `measured` or `delivered_unmeasured` like a delivered one.
- The final verdict (the verdict on the last review) wins over the status: an initiative
  cancelled after its final review keeps the verdict's outcome, since the committee concluded
  on the value delivered.
- An approval whose initiative is still `proposed` (the decision is recorded, the transition
  not yet) is `pending`.
- An approval whose initiative never went ahead (it was `rejected` instead) or no longer exists
  is `cancelled`: the approved work will not be delivered.
- A review verdict other than the final one makes the initiative `measured`, as an actual value
  does (SPEC: `delivered_unmeasured` needs "no review has a verdict").
"""
from dataclasses import dataclass

from cxgov.initiatives.reviews import REALISED

OUTCOMES = ("superseded", "pending", "in_delivery", "delivered_unmeasured", "measured", "realised",
            "not_realised", "cancelled", "rejected", "recorded")
DELIVERED = frozenset({"delivered", "closed"})
NOT_STARTED = frozenset({"proposed", "approved"})


@dataclass(frozen=True)
class Facts:
    """What the outcome of one decision depends on."""

    kind: str
    superseded: bool = False
    status: str | None = None  # the initiative's status; None without an initiative
    measured: bool = False  # some impact of the initiative has an actual_value
    any_verdict: bool = False  # some review of the initiative has a verdict
    final_verdict: str | None = None  # the verdict of its last review


def outcome(facts: Facts) -> str:
    """The decision's outcome, one of `OUTCOMES`."""
    if facts.superseded:
        return "superseded"
    if facts.kind == "reject_initiative":
        return "rejected"
    if facts.kind != "approve_initiative":
        return "recorded"
    if facts.final_verdict is not None:
        return "realised" if facts.final_verdict in REALISED else "not_realised"
    if facts.status in NOT_STARTED:
        return "pending"
    if facts.status == "in_progress":
        return "in_delivery"
    if facts.status in DELIVERED:
        return "measured" if facts.measured or facts.any_verdict else "delivered_unmeasured"
    return "cancelled"  # cancelled, rejected instead, or gone
