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
    Variant.ADOLESCENT: VariantRule(
        12, 12, 12, 4, "12 sessions, for ages 12–18; initial phase sessions 1–4"
    ),
    # WHO Group IPT (2016): one individual pre-group session, then 8 (up to 12) group sessions.
    Variant.GROUP: VariantRule(
        9, 13, 9, 1, "an individual pre-group session, then 8–12 weekly group sessions"
    ),
}


# IPT-A (Mufson): adolescents of 12 to 18, by their age on the day the course starts.
ADOLESCENT_AGES = (12, 18)


def age_on(born, day):
    """Age in whole years on ``day`` (a birthday on 29 February falls on 1 March otherwise)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def variant_age_problem(variant, born, start):
    """Why the patient's age at the start of the course does not fit the variant (None: it
    does). Only IPT-A has an age range: from the 12th birthday to the day before the 19th."""
    if variant != Variant.ADOLESCENT or born is None or start is None:
        return None
    youngest, oldest = ADOLESCENT_AGES
    age = age_on(born, start)
    if youngest <= age <= oldest:
        return None
    return (
        f"IPT for adolescents (IPT-A) is offered to young people aged {youngest} to {oldest} "
        f"when the course starts. Born {born:%-d %b %Y}, the patient is {age} on "
        f"{start:%-d %b %Y}: choose another form of IPT"
        + (", or refer to a child service." if age < youngest else ", such as individual IPT.")
    )
