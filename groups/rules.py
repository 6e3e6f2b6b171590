"""Who may join an IPT group: pure rules, no database access.

IPT (WHO Group IPT, 2016): each member first has an individual pre-group session (suitability,
diagnosis with a baseline PHQ-9, sick role, inventory, problem area and goals, agreement to the
group's rules); a group has a limited number of places (6-10) and takes members while it is
forming or running, never once it is closing.
"""

from dataclasses import dataclass

GROUP_SESSIONS_MIN, GROUP_SESSIONS_MAX, GROUP_SESSIONS_DEFAULT = 8, 12, 8
MEMBER_LIMIT_MIN, MEMBER_LIMIT_MAX, MEMBER_LIMIT_DEFAULT = 6, 10, 8
# The pre-group session covers these initial-phase steps (ipt/course/steps.py keys).
PRE_GROUP_STEPS = ("suitability", "diagnosis", "sick_role", "inventory", "problem_areas")


@dataclass(frozen=True)
class Candidate:
    is_group_course: bool
    is_active: bool
    already_member: bool
    steps_missing: tuple[str, ...]  # titles of pre-group steps not yet done


def join_refusals(candidate, *, group_open, members, limit):
    """Why this course cannot join the group now (empty when it can)."""
    reasons = []
    if not group_open:
        reasons.append("The group no longer takes members: it is closing or has ended.")
    if not candidate.is_group_course:
        reasons.append("Only a course of group IPT can join a group.")
    if not candidate.is_active:
        reasons.append("The course is closed.")
    if candidate.already_member:
        reasons.append("This course is already in a group.")
    if members >= limit:
        reasons.append(f"The group is full ({limit} members).")
    if candidate.steps_missing:
        reasons.append(
            "The pre-group session is not finished: "
            + ", ".join(candidate.steps_missing).lower()
            + "."
        )
    return reasons


# --- a group session: who came, and what a member who came brought ------------------------------
PRESENT, LATE, ABSENT = "present", "late", "absent"
CAME = (PRESENT, LATE)
MOOD_MIN, MOOD_MAX = 0, 10


def parse_phq9(text):
    """Nine PHQ-9 answers typed as digits 0-3 ("2 1 1 0 2 1 1 0 0" or "211021100"), item 1 first;
    None when the text is not nine such answers."""
    digits = [c for c in text if not c.isspace() and c != ","]
    if len(digits) != 9 or any(c not in "0123" for c in digits):
        return None
    return tuple(int(c) for c in digits)


def entry_errors(*, attendance, reason, mood, phq9, event, action):
    """What is wrong with one member's entry of a group session, as {field: message}.

    A member who was absent has a reason and nothing else (their mood, event and action are
    only what they brought to the group); mood is 0-10; a PHQ-9 is nine answers of 0-3."""
    errors = {}
    if attendance not in (PRESENT, LATE, ABSENT):
        errors["attendance"] = "Say whether the member came, came late or was absent."
    if attendance == ABSENT:
        if not reason.strip():
            errors["reason"] = "Give the reason the member was absent, or 'not known'."
        for field, value in (("mood", mood), ("phq9", phq9), ("event", event), ("action", action)):
            if value not in (None, ""):
                errors[field] = "Only for a member who came: clear it, or mark them present."
        return errors
    if mood is not None and not MOOD_MIN <= mood <= MOOD_MAX:
        errors["mood"] = f"A mood from {MOOD_MIN} (worst) to {MOOD_MAX} (best)."
    if phq9 and parse_phq9(phq9) is None:
        errors["phq9"] = "Nine answers, each 0 to 3, item 1 first: for example 2 1 1 0 2 1 1 0 0."
    return errors


def members_refusals(entered, current):
    """Entries must be for exactly the group's current members (ids), one each."""
    entered, current = list(entered), set(current)
    reasons = []
    if len(entered) != len(set(entered)):
        reasons.append("Each member is recorded once.")
    if set(entered) - current:
        reasons.append("Only the group's current members are recorded.")
    if current - set(entered):
        reasons.append("Record every current member's attendance.")
    return reasons
