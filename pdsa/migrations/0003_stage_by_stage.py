"""Scale choices that fit a test at home as well as in a classroom, and no default scale.

The stored values are kept (the API publishes them): "one_child" now reads "One child or
family", "one_classroom" "One classroom or home group", "whole_program" "The whole program",
and "a_few" is new. No stored value changes, so there is no data step."""

from django.db import migrations, models

SCALE_CHOICES = [
    ("one_child", "One child or family"), ("a_few", "A few children or families"),
    ("one_classroom", "One classroom or home group"), ("several_classrooms", "Several classrooms"),
    ("whole_program", "The whole program"),
]


class Migration(migrations.Migration):
    dependencies = [("pdsa", "0002_history_of_participants_and_comments")]

    operations = [
        migrations.AlterField(
            model_name="cycle", name="scale",
            field=models.CharField(blank=True, choices=SCALE_CHOICES, max_length=20,
                                   verbose_name="scale of the test"),
        ),
        migrations.AlterField(
            model_name="historicalcycle", name="scale",
            field=models.CharField(blank=True, choices=SCALE_CHOICES, max_length=20,
                                   verbose_name="scale of the test"),
        ),
    ]
