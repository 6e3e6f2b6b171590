"""The demo clinic: its staff, its patients and their courses. Used by `manage.py seed_demo`.

README.md, "Demo clinic", tells the stories. The patients are in patients.py, each
therapist's courses in vignettes_reyes.py and vignettes_natarajan.py, built with the generic
records of builders.py. ``seed()`` creates only what is missing: run again, it changes nothing.
"""

from ipt.accounts.models import Role, User
from ipt.course.models import TreatmentCourse
from ipt.devtools.demo import (
    adolescent,
    calendar_feed,
    fidelity_ratings,
    groups,
    past_year,
    questionnaires,
)
from ipt.devtools.demo import vignettes_natarajan as natarajan
from ipt.devtools.demo import vignettes_reyes as reyes
from ipt.devtools.demo.patients import MORE_PATIENTS, PATIENTS
from patients.models import Patient
from sessions_app import watch

DEMO_PASSWORD = "ipt-demo"

STAFF = [
    # username, first, last, role, supervisor username
    ("supervisor", "Helen", "Okafor", Role.SUPERVISOR, None),
    ("therapist", "Sam", "Reyes", Role.THERAPIST, "supervisor"),
    ("therapist2", "Priya", "Natarajan", Role.THERAPIST, "supervisor"),
    ("clinicadmin", "Alex", "Morgan", Role.CLINIC_ADMIN, None),
    ("cliniclead", "Ruth", "Adebayo", Role.CLINIC_LEAD, None),
]

# Each patient's course, by the patient's full name, in the order they are built.
COURSES = {
    "Daniel Moreno": reyes.daniel,
    "Margaret Ellis": reyes.margaret,
    "Aisha Rahman": reyes.aisha,
    "Tom Whitaker": natarajan.tom,
    "Grace Adeyemi": natarajan.grace,
    "Robert Chen": reyes.robert,
    "Sofia Marin": reyes.sofia,
    "Kwame Mensah": natarajan.kwame,
    "Olivia Grant": natarajan.olivia,
    "Hannah Kowalski": natarajan.hannah,
    "Owen Price": reyes.owen,
    "Lucy Brennan": natarajan.lucy,
    "Marcus Bell": natarajan.marcus,
}


def seed():
    """Create whatever of the demo clinic is missing; returns what was created, in words."""
    created = []
    staff = seed_staff(created)
    seed_patients(staff, created)
    seed_courses(created)
    questionnaires.seed(created)
    calendar_feed.seed(created)
    fidelity_ratings.seed(created)
    groups.seed(staff, created)
    adolescent.seed(staff, created)
    past_year.seed(staff, created)
    past_year.backdate_referrals()
    # The vignettes write records as they were, dates and all: store each course's watch.
    watch.refresh_due(TreatmentCourse.objects.all())
    return created


def seed_staff(created):
    """The demo's users by username; each one new is created with DEMO_PASSWORD."""
    staff = {}
    for username, first, last, role, supervisor in STAFF:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "supervisor": staff.get(supervisor),
                "email": f"{username}@clinic.example",
                "is_staff": role == Role.CLINIC_ADMIN,
                "is_superuser": role == Role.CLINIC_ADMIN,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(f"user {username}")
        staff[username] = user
    return staff


def seed_patients(staff, created):
    for record in [*PATIENTS, *MORE_PATIENTS]:
        fields = dict(record)
        therapist = staff[fields.pop("therapist")]
        full_name = fields.pop("full_name")
        _, was_created = Patient.objects.get_or_create(
            therapist=therapist, full_name=full_name, defaults=fields
        )
        if was_created:
            created.append(f"patient {full_name}")


def seed_courses(created):
    """A course for each demo patient who has none yet."""
    for name, build in COURSES.items():
        patient = Patient.objects.filter(full_name=name).first()
        if patient is None or patient.courses.exists():
            continue
        build(patient, patient.therapist)
        created.append(f"course for {name}")
