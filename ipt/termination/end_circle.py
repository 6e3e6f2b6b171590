"""The closeness circle at the end of therapy (IPT-REFERENCE.md, "Termination phase").

IPT draws the circle again at the end to show how the patient's network has changed. The
intake circle is copied as the starting point: each person of the inventory keeps the ring and
the place in the drawing they had at intake, then the therapist moves them closer or further,
adds the people who came into the patient's life during therapy, and marks those who are no
longer in it. The copy is made when the end circle is first saved (until then the page shows
it as it would start); people added to the inventory later are copied the same way.

Courses whose end circle was recorded before it had places of its own kept the ring at the
end on each person (``InventoryPerson.closeness_at_end``): their copy starts from that ring.
"""

from dataclasses import replace

from django.db import models

from ipt import charts
from ipt.accounts.history import tracked
from ipt.course.models import Phase, TransitionRefused, TreatmentCourse
from ipt.initial.models import Closeness, InventoryPerson
from ipt.termination.rules import Spot, free_angle

# The end circle and the intake circle are drawn side by side at this size; the places copied
# are those of that drawing, so everyone starts exactly where they are seen at intake.
CIRCLE_SIZE = 400
GONE = 0  # the choice "no longer in the circle" on the form


def refusal(course):
    """Why the end circle cannot be changed now, or ''."""
    if course.phase != Phase.TERMINATION:
        return (
            "The closeness circle at the end belongs to the termination phase: move the course "
            "to it first, in the last two to three sessions."
        )
    return ""


@tracked("course__patient")
class EndCirclePlace(models.Model):
    """One person in the closeness circle at the end of therapy: a copy of an inventory
    person's place at intake, or someone new since then (``person`` empty)."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="end_circle")
    person = models.ForeignKey(
        InventoryPerson,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="end_places",
        verbose_name="person from the inventory",
    )
    name = models.CharField("name", max_length=120, blank=True)  # someone new only
    relationship = models.CharField("relationship", max_length=120, blank=True)
    closeness = models.PositiveSmallIntegerField("closeness at the end", choices=Closeness.choices)
    in_circle = models.BooleanField("still in the circle", default=True)
    # Degrees clockwise from the top: where the dot sits, copied from the intake drawing.
    angle = models.FloatField("place in the drawing")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "person in the closeness circle at the end"
        ordering = ["closeness", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person"],
                condition=models.Q(person__isnull=False),
                name="end_circle_one_place_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(name=""),
                name="end_circle_new_person_has_a_name",
            ),
            models.CheckConstraint(
                condition=models.Q(closeness__gte=1, closeness__lte=3),
                name="end_circle_closeness_is_a_ring",
            ),
        ]

    def __str__(self):
        return f"{self.label} at the end: {self.get_closeness_display()}"

    @property
    def is_new(self):
        return self.person_id is None

    @property
    def display_name(self):
        return self.person.name if self.person_id else self.name

    @property
    def display_relationship(self):
        return self.person.relationship if self.person_id else self.relationship

    @property
    def label(self):
        return f"{self.display_name} ({self.display_relationship})"

    @property
    def key(self):
        """The form field and the key of the comparison: the person, or the new place."""
        return f"person_{self.person_id}" if self.person_id else f"new_{self.pk}"

    def spot(self, focal=frozenset()):
        return _spot(self.key, self.person, self, focal)

    # --- reading ------------------------------------------------------------------------------
    @classmethod
    def starting_places(cls, course, people):
        """The end circle as it stands: the places stored, and a copy (unsaved) of the intake
        place of each inventory person who has none yet, in the ring recorded at the end
        before places were kept, else their intake ring."""
        stored = list(cls.objects.filter(course=course).select_related("person"))
        placed = {p.person_id for p in stored if p.person_id}
        angles = intake_angles(people, stored, focal_people(course))
        copies = [
            cls(
                course=course,
                person=p,
                closeness=p.closeness_at_end or p.closeness,
                angle=angles[p.pk],
            )
            for p in people
            if p.pk not in placed
        ]
        return sorted(stored + copies, key=lambda p: (p.closeness, p.is_new, p.display_name))

    # --- changing -----------------------------------------------------------------------------
    @classmethod
    def _started(cls, course):
        """Under the course's lock: every copy stored, so the circle has a place for each."""
        people = list(InventoryPerson.objects.filter(course=course))
        places = cls.starting_places(course, people)
        cls.objects.bulk_create([p for p in places if p.pk is None])
        return places

    @classmethod
    def save_rings(cls, course, rings):
        """Guard, lock, re-check, change: ``rings`` maps each place's key to its ring now, or
        GONE: a person from the inventory is then no longer in the circle (kept, so the
        change is seen), someone new is taken out again."""
        if reason := refusal(course):
            raise TransitionRefused([reason])
        with course.changing():
            locked = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
            if reason := refusal(locked):
                raise TransitionRefused([reason])
            for place in cls._started(course):
                ring = rings.get(place.key)
                if ring is None:  # added to the inventory after the form was shown
                    continue
                if ring == GONE and place.is_new:
                    place.delete()
                    continue
                place.in_circle = ring != GONE
                place.closeness = ring or place.closeness
                place.save(update_fields=["in_circle", "closeness"])

    @classmethod
    def add_new(cls, course, *, name, relationship, closeness):
        """Someone who came into the patient's life during therapy, on the free side of their
        ring (guard, lock, re-check, change)."""
        if reason := refusal(course):
            raise TransitionRefused([reason])
        with course.changing():
            locked = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
            if reason := refusal(locked):
                raise TransitionRefused([reason])
            places = cls._started(course)
            taken = [p.angle for p in places if p.in_circle and p.closeness == closeness]
            return cls.objects.create(
                course=course,
                name=name,
                relationship=relationship,
                closeness=closeness,
                angle=free_angle(taken),
            )


def focal_people(course):
    # IPT: the person at the heart of a focal problem area is marked, as in the inventory.
    return frozenset(a.person_id for a in course.problem_areas.all() if a.person_id)


def intake_angles(people, stored, focal):
    """{person id: angle} of each person in the intake drawing: the place stored for them at
    the copy, else where the drawing puts them (drawn as on the page: labels move dots)."""
    kept = {p.person_id: p.angle for p in stored if p.person_id}
    spots = [_spot(f"person_{p.pk}", p, None, focal) for p in people]
    drawn = charts.layout_angles(_circle_people(spots), CIRCLE_SIZE)
    return {p.pk: kept.get(p.pk, angle) for p, angle in zip(people, drawn, strict=True)}


def _spot(key, person, place, focal):
    name = place.display_name if place else person.name
    relationship = place.display_relationship if place else person.relationship
    deceased = bool(person and person.deceased)
    return Spot(
        key=key,
        name=name,
        relationship=f"{relationship}, died" if deceased else relationship,
        closeness=place.closeness if place else person.closeness,
        angle=place.angle if place else None,
        focal=bool(person and person.pk in focal),
    )


def intake_spots(people, places, focal=frozenset()):
    """The intake circle: each inventory person in their intake ring, at their copied place."""
    angles = intake_angles(people, [p for p in places if p.pk], focal)
    return [replace(_spot(f"person_{p.pk}", p, None, focal), angle=angles[p.pk]) for p in people]


def end_spots(places, focal=frozenset()):
    """The end circle: everyone still in it, in their ring now, at their place."""
    return [p.spot(focal) for p in places if p.in_circle]


def _circle_people(spots):
    return [
        charts.CirclePerson(s.name, s.relationship, s.closeness, focal=s.focal, angle=s.angle)
        for s in spots
    ]


def draw(spots, *, title, centre_label):
    return charts.closeness_circle(
        _circle_people(spots),
        title=title,
        centre_label=centre_label,
        size=CIRCLE_SIZE,
    )
