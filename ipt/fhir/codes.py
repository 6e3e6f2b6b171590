"""LOINC codes of the questionnaires the app records (loinc.org), in the items' order."""

LOINC = "http://loinc.org"

PHQ9_PANEL = "44249-1"
PHQ9_ITEMS = (
    "44250-9",  # little interest or pleasure
    "44255-8",  # feeling down, depressed or hopeless
    "44259-0",  # sleep
    "44254-1",  # tired, little energy
    "44251-7",  # appetite
    "44258-2",  # feeling bad about yourself
    "44252-5",  # concentrating
    "44253-3",  # moving or speaking slowly, or restless
    "44260-8",  # thoughts of being better off dead or of self-harm
)
PHQ9_DIFFICULTY = "69722-7"
PHQ9_TOTAL = "44261-6"

GAD7_PANEL = "69737-5"
GAD7_ITEMS = ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")
GAD7_TOTAL = "70274-6"

PANELS = {
    "phq9": (PHQ9_PANEL, "PHQ-9 quick depression assessment panel", PHQ9_ITEMS, PHQ9_TOTAL),
    "gad7": (GAD7_PANEL, "Generalized anxiety disorder 7 item (GAD-7)", GAD7_ITEMS, GAD7_TOTAL),
}
