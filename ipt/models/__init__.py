from ipt.models.contract import TreatmentContract
from ipt.models.course import (
    CourseQuerySet,
    EndReason,
    Phase,
    PhaseTransition,
    TransitionRefused,
    TreatmentCourse,
    Variant,
)
from ipt.models.initial import (
    Diagnosis,
    Formulation,
    InventoryPerson,
    LifeEvent,
    ProblemArea,
    ProblemAreaGoal,
    SickRole,
    SuitabilityScreen,
)
from ipt.models.measures import MeasureResponse, RiskAssessment
from ipt.models.users import AccessEvent, Role, User

__all__ = [
    "AccessEvent",
    "CourseQuerySet",
    "Diagnosis",
    "EndReason",
    "Formulation",
    "InventoryPerson",
    "LifeEvent",
    "MeasureResponse",
    "Phase",
    "PhaseTransition",
    "ProblemArea",
    "ProblemAreaGoal",
    "RiskAssessment",
    "Role",
    "SickRole",
    "SuitabilityScreen",
    "TransitionRefused",
    "TreatmentContract",
    "TreatmentCourse",
    "User",
    "Variant",
]
