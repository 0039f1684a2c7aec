from django.db import migrations, models

CHOICES = [
    ("run", "Run chart"), ("p", "p chart (proportions)"), ("u", "u chart (rates)"),
    ("xmr", "XmR chart (individual values)"), ("c", "c chart (counts of rare events)"),
    ("g", "g chart (opportunities between events)"), ("t", "t chart (time between events)"),
    ("pp", "Laney p′ chart (proportions, large denominators)"),
    ("up", "Laney u′ chart (rates, large denominators)"),
]


class Migration(migrations.Migration):
    dependencies = [("measures", "0003_baseline_length_at_least_one_month")]

    operations = [
        migrations.AlterField(
            model_name="historicalmeasure",
            name="chart_kind",
            field=models.CharField(choices=CHOICES, default="run", max_length=4, verbose_name="chart"),
        ),
        migrations.AlterField(
            model_name="measure",
            name="chart_kind",
            field=models.CharField(choices=CHOICES, default="run", max_length=4, verbose_name="chart"),
        ),
    ]
