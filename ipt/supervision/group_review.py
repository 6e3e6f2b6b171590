"""The supervisees' IPT groups on the caseload review: each group where it stands, how its
facilitators' fidelity checklists read, and each current member's flags from their course's
stored watch (sessions_app/coursewatch.py). A fixed number of queries whatever the number of
groups and members: the groups with their counts, their members with their watches, the
checklists' items, and the stale watches brought up to date first."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Min, Q, Sum
from django.db.models.functions import Cast

from groups import rules
from groups.models import GroupAttendance, GroupMember, GroupSession, GroupStatus, TherapyGroup
from ipt.course.models import TreatmentCourse
from sessions_app.watch import refresh_due


@dataclass
class GroupRow:
    group: TherapyGroup
    members: list = field(default_factory=list)
    checklist_items_met: int = 0
    checklist_items: int = 0

    @property
    def flagged(self):
        return sum(1 for m in self.members if _flagged(m.course.watch))


def _flagged(watch):
    return bool(
        watch.risk_kind or watch.deteriorating or watch.contact or watch.phq9_overdue
        or watch.off_track
    )  # fmt: skip


def group_rows(supervisor):
    """The supervisor's supervisees' groups that have not ended, with their members."""
    held = Q(group_sessions__status=GroupSession.Status.HELD)
    groups = list(
        TherapyGroup.objects.visible_to(supervisor)
        .exclude(status=GroupStatus.ENDED)
        .select_related("lead")
        .annotate(
            held_count=Count("group_sessions", filter=held),
            checked_count=Count(
                "group_sessions", filter=held & Q(group_sessions__checklist_at__isnull=False)
            ),
            next_session=Min(
                "group_sessions__scheduled_for",
                filter=Q(group_sessions__status=GroupSession.Status.PLANNED),
            ),
        )
        .order_by("name", "pk")
    )
    if not groups:
        return []
    ids = [g.pk for g in groups]
    current = GroupMember.objects.filter(group_id__in=ids, left_on__isnull=True)
    refresh_due(TreatmentCourse.objects.filter(pk__in=current.values("course")))
    rows = {g.pk: GroupRow(g) for g in groups}
    for member in current.select_related("course__patient__therapist", "course__watch").order_by(
        "course__patient__full_name", "pk"
    ):
        rows[member.group_id].members.append(member)
    # The checklists: three group items per filled checklist, and one for the mood-event link
    # (met when every member who came made it).
    as_int = lambda name: Sum(Cast(name, IntegerField()))  # noqa: E731
    items = (
        GroupSession.objects.filter(group_id__in=ids, checklist_at__isnull=False)
        .values("group_id")
        .annotate(**{k: as_int(k) for k in rules.GROUP_ITEMS}, filled=Count("pk"))
    )
    for row in items:
        target = rows[row["group_id"]]
        target.checklist_items += row["filled"] * len(rules.GROUP_ITEMS)
        target.checklist_items_met += sum(row[k] for k in rules.GROUP_ITEMS)
    links = defaultdict(dict)
    for row in (
        GroupAttendance.objects.filter(
            group_session__group_id__in=ids,
            group_session__checklist_at__isnull=False,
        )
        .values("group_session__group_id", "group_session_id")
        .annotate(
            came=Count("pk", filter=Q(attendance__in=rules.CAME)),
            linked=Count("pk", filter=Q(attendance__in=rules.CAME, mood_event_linked=True)),
        )
    ):
        links[row["group_session__group_id"]][row["group_session_id"]] = row
    for group_id, sessions in links.items():
        rows[group_id].checklist_items += len(sessions)
        rows[group_id].checklist_items_met += sum(
            s["came"] == s["linked"] for s in sessions.values()
        )
    return list(rows.values())
