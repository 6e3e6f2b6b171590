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
from ipt.models.supervision import SessionRating, SupervisionFeedback
from ipt.models.termination import (
    FollowUp,
    MaintenanceContract,
    ProgressReview,
    RelapsePreventionPlan,
    RelapseTrigger,
)
from ipt.models.users import AccessEvent, Role, User

__all__ = [
    "AccessEvent",
    "CourseQuerySet",
    "Diagnosis",
    "EndReason",
    "FollowUp",
    "Formulation",
    "InventoryPerson",
    "LifeEvent",
    "MaintenanceContract",
    "MeasureResponse",
    "Phase",
    "PhaseTransition",
    "ProblemArea",
    "ProblemAreaGoal",
    "ProgressReview",
    "RelapsePreventionPlan",
    "RelapseTrigger",
    "RiskAssessment",
    "Role",
    "SessionRating",
    "SickRole",
    "SuitabilityScreen",
    "SupervisionFeedback",
    "TransitionRefused",
    "TreatmentContract",
    "TreatmentCourse",
    "User",
    "Variant",
]
