from django.core.management import call_command
from django.db import migrations


def build(apps, schema_editor):
    # The rules are Python: the watch is built by the same command an operator runs.
    call_command("rebuild_course_watch", verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0005_course_watch"),
    ]

    operations = [
        migrations.RunPython(build, migrations.RunPython.noop, elidable=True),
    ]
