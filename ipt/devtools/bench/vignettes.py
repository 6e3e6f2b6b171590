"""The benchmark clinic's words: names, relationships and the texts its records are written
with. Drawn from at random; only their length and variety matter to the timings."""

FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ellen", "Farid", "Grace", "Hannah", "Ian", "Jade",
    "Kofi", "Laura", "Marek", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
    "Uma", "Victor", "Wendy", "Xavier", "Yasmin", "Zoe", "Adam", "Beth", "Carl", "Dina",
    "Ewan", "Fatima", "Gareth", "Holly", "Isaac", "Joy", "Karl", "Lena", "Mo", "Nell",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Brown", "Chen", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones",
    "Khan", "Lewis", "Murphy", "Novak", "Okafor", "Patel", "Quigley", "Roberts", "Singh",
    "Taylor", "Usman", "Vaughan", "Walsh", "Xu", "Young", "Zielinski", "Adeyemi", "Baker",
    "Campbell", "Dunn", "Ellis", "Foster", "Green", "Hall", "Ivanova", "Jackson", "Kaur",
    "Lopez", "Mensah", "Nguyen",
]  # fmt: skip
RELATIONSHIPS = [
    ("partner", 1), ("mother", 1), ("father", 2), ("sister", 2), ("brother", 2),
    ("daughter", 1), ("son", 1), ("friend", 2), ("best friend", 1), ("manager", 3),
    ("colleague", 3), ("neighbour", 3), ("aunt", 3), ("grandmother", 2),
]  # fmt: skip
ROLE_CHANGES = [
    ("employed", "unemployed"), ("student", "graduate looking for work"),
    ("partner", "single parent"), ("worker", "retired"), ("city life", "a new town"),
    ("independent adult", "carer for a parent"), ("working woman", "new mother"),
]  # fmt: skip
MOOD_CONTEXT = [
    "A bit brighter this week; went out twice and slept better.",
    "Low most days; stayed in after the argument on Saturday.",
    "Mood lifted after talking things through at home.",
    "Tired and tearful; the anniversary was hard.",
    "Steadier; kept to the plan for the week.",
]
FOCAL_NOTES = [
    "Linked the low days to the row about money; explored what each of them expected.",
    "Talked through what was lost with the old role and what the new one might offer.",
    "Reviewed who could be asked for support and how to ask.",
    "Looked at the dispute stage: both still want to sort it out.",
    "Remembered the good and the difficult sides of the relationship.",
]
EVENTS = [
    ("Argued about money over dinner.", "Angry, then guilty and flat."),
    ("Phoned to ask for help with the children.", "Nervous, then relieved it went well."),
    ("Went to the group for the first time.", "Awkward at first, glad afterwards."),
    ("Was left out of the plans for the weekend.", "Hurt and low all evening."),
    ("Talked about the future calmly.", "Hopeful."),
]
HOMEWORK = [
    "Ask for a walk on Saturday and say what I need.",
    "Phone a friend and suggest meeting for coffee.",
    "Tell my sister how the last month has really been.",
    "Go to the first evening of the course.",
    "Raise the money worry at a calm moment, not during a row.",
]
REVIEWS = [
    "Did it; the conversation went better than expected.",
    "Started but stopped when it got tense.",
    "Did not get round to it; we looked at what got in the way.",
]
ANALYSIS = (
    "Kitchen, Sunday evening, both tired after the visit.",
    "'You never help.' Said loudly, arms folded.",
    "That I was exhausted and needed a hand.",
    "Heard it as blame and walked out.",
    "'I'm worn out tonight; could you do the dishes?' Role-played twice.",
)
