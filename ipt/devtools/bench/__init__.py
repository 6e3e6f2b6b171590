"""A clinic at scale, for `manage.py bench`: staff, courses and sessions written in bulk.

``seed()`` (seed.py) builds a whole clinic in memory, course by course, from a seeded random
generator (plans.py), then writes each kind of record with ``bulk_create`` in batches
(bulk.py): a few dozen INSERTs for tens of thousands of rows. The records look like the ones
the app writes itself:

- every course has a suitability screen, a diagnosis with a baseline PHQ-9, the sick role,
  3-6 people in the inventory, a timeline, one or two problem areas with their IPT goals and a
  formulation; past the initial phase a signed contract, the phase transitions dated on the
  session they happened in, and all of its weekly sessions (held, missed, then planned)
  (initial.py, sessions.py);
- held sessions have a PHQ-9 (or a mood rating), interpersonal events, homework reviewed the
  next week, techniques, sometimes a communication analysis; most are finalised;
- completed courses have their progress review, reviewed goals, relapse-prevention plan and
  often a maintenance contract; supervisors have left feedback and rated some sessions
  (ending.py);
- a few courses have PHQ-9 item 9 above 0 (most with a documented risk assessment; a
  session whose assessment is still to be written stays unfinalised, as the app would keep
  it) and a few active ones are overdue, so the caseload review has flags to show.

The number of sessions is made exact by lengthening or shortening courses that ended early.
The texts are in vignettes.py; timing.py measures the pages and urls.py adds the floor page.
Nothing here is used by the app itself.
"""

from ipt.devtools.bench.seed import Clinic, seed

__all__ = ["Clinic", "seed"]
