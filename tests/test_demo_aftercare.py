"""The demo clinic shows a renegotiated contract, maintenance IPT, inventory expectations and a
closeness circle at the end that has changed."""

from django.core.management import call_command

from ipt.models import EndCirclePlace, InventoryPerson, MaintenanceContract, TreatmentCourse


def test_the_demo_clinic_shows_renegotiation_maintenance_ipt_and_the_end_circle(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")

    daniel = TreatmentCourse.objects.get(patient__full_name="Daniel Moreno")
    first, amendment = daniel.contracts.order_by("version")
    assert (first.number_of_sessions, amendment.number_of_sessions) == (12, 16)
    assert amendment.is_signed and amendment.amendment_reason
    assert daniel.planned_sessions == 16 and daniel.sessions.count() == 16

    robert = TreatmentCourse.objects.get(patient__full_name="Robert Chen")
    assert robert.phase == "completed"
    maintenance = robert.maintenance
    assert maintenance.kind == MaintenanceContract.Kind.MAINTENANCE_IPT
    assert (maintenance.interval_months, maintenance.followups.count()) == (1, 12)

    places = {p.display_name: p for p in EndCirclePlace.objects.filter(course=robert)}
    assert not places["Alan"].in_circle
    assert places["Mei"].closeness == 1 and places["Pat"].is_new
    met = InventoryPerson.objects.exclude(expectations_met="").exclude(patient_expects="")
    assert met.count() >= 4

    call_command("seed_demo")  # still idempotent
    assert EndCirclePlace.objects.filter(course=robert).count() == len(places)
