"""Writing the benchmark's records: in batches, and dated when they happened."""

from contextlib import contextmanager

from django.db import connection

BATCH = 2000


def bulk(model, objs, counts):
    """bulk_create ``objs`` in batches, counted under the model's plural name."""
    objs = list(objs)
    for start in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[start : start + BATCH])
        # Statistics for the rows just written, before anything refers to them: the foreign-key
        # checks of the next inserts (and of the change history's rows) then plan for the table
        # as it is. Planned for an empty table, each check scans every row this transaction
        # wrote so far, which makes a large clinic's seeding quadratic.
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    counts[model._meta.verbose_name_plural] += len(objs)
    return objs


@contextmanager
def dated(*fields):
    """Let bulk_create write the given auto_now_add fields: records dated when they happened."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value
