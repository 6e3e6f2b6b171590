"""The forms of IPT a course can take, and the session counts each allows."""

from dataclasses import dataclass

from django.db import models


class Variant(models.TextChoices):
    INDIVIDUAL = "individual", "Individual IPT"
    BRIEF = "brief", "Brief IPT (IPT-B)"
    ADOLESCENT = "adolescent", "IPT for adolescents (IPT-A)"
    GROUP = "group", "Group IPT"


@dataclass(frozen=True)
class VariantRule:
    min_sessions: int
    max_sessions: int
    default_sessions: int
    initial_phase_sessions: int
    description: str


# IPT: the contract fixes the count; the initial phase length varies by source (configurable).
VARIANT_RULES = {
    Variant.INDIVIDUAL: VariantRule(
        12, 16, 12, 3, "12–16 weekly sessions; initial phase sessions 1–3"
    ),
    Variant.BRIEF: VariantRule(8, 9, 8, 2, "8 sessions (+1 optional engagement session)"),
    Variant.ADOLESCENT: VariantRule(12, 12, 12, 4, "12 sessions; initial phase sessions 1–4"),
    # WHO Group IPT (2016): one individual pre-group session, then 8 (up to 12) group sessions.
    Variant.GROUP: VariantRule(
        9, 13, 9, 1, "an individual pre-group session, then 8–12 weekly group sessions"
    ),
}
