"""The model registry of the ``ipt`` app.

Each room of the therapy keeps its own models (``ipt/course/models.py``, ``ipt/initial/``,
``ipt/measures/``, ``ipt/termination/``, ``ipt/supervision/``, ``ipt/accounts/``); Django
finds an app's models through this module, so it imports them all. They keep the ``ipt``
app label, so their tables and migrations are those of the app. Code imports a model from
its room; this module is for Django (and tests that want many models at once).
"""

from ipt.accounts.models import AccessEvent, AuthEvent, Role, SignIn, StaffChange, User
from ipt.course.models import (
    CourseQuerySet,
    EndReason,
    Phase,
    PhaseTransition,
    TransitionRefused,
    TreatmentCourse,
    Variant,
)
from ipt.course.parents import ParentCarer
from ipt.fhir.bulk import PreparedExport
from ipt.initial.contract import TreatmentContract
from ipt.initial.models import (
    Diagnosis,
    Formulation,
    InventoryPerson,
    LifeEvent,
    ProblemArea,
    ProblemAreaGoal,
    SickRole,
    SuitabilityScreen,
)
from ipt.initial.signed_pdf import SignedContractPdf
from ipt.measures.models import MeasureResponse, RiskAssessment
from ipt.supervision.models import DriftRating, SessionRating, SupervisionFeedback
from ipt.termination.end_circle import EndCirclePlace
from ipt.termination.models import (
    FollowUp,
    MaintenanceContract,
    ProgressReview,
    RelapsePreventionPlan,
    RelapseTrigger,
)
from ipt.termination.summary import PreparedSummary

__all__ = [
    "AccessEvent",
    "AuthEvent",
    "CourseQuerySet",
    "Diagnosis",
    "DriftRating",
    "EndCirclePlace",
    "EndReason",
    "FollowUp",
    "Formulation",
    "InventoryPerson",
    "LifeEvent",
    "MaintenanceContract",
    "MeasureResponse",
    "ParentCarer",
    "Phase",
    "PhaseTransition",
    "PreparedExport",
    "PreparedSummary",
    "ProblemArea",
    "ProblemAreaGoal",
    "ProgressReview",
    "RelapsePreventionPlan",
    "RelapseTrigger",
    "RiskAssessment",
    "Role",
    "SessionRating",
    "SickRole",
    "SignIn",
    "SignedContractPdf",
    "StaffChange",
    "SuitabilityScreen",
    "SupervisionFeedback",
    "TransitionRefused",
    "TreatmentContract",
    "TreatmentCourse",
    "User",
    "Variant",
]
