# Data fix before 0003 refuses a baseline of 0 months: such a measure made every one of its
# charts fail. Empty (NULL) has always meant "all months", which is what 0 was taken for.

from django.db import migrations


def baseline_zero_to_all_months(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    Measure.objects.filter(baseline_length=0).update(baseline_length=None)


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(baseline_zero_to_all_months, migrations.RunPython.noop, elidable=True),
    ]
