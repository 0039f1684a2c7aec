import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import collaboratives.validators

RECORDS_EVENTS = {
    "default": False,
    "help_text": "For rare events such as expulsions: teams enter each event on the day it happens, "
              "and the portal counts them month by month. A count, with no denominator and no groups.",
    "verbose_name": "teams record each event with its date",
}
NOTE = {
    "blank": True, "help_text": "Optional, seen by your team and its coaches only. No names.",
    "max_length": 200, "validators": [collaboratives.validators.validate_one_line], "verbose_name": "note",
}


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0006_pareto_tallies"),
        ("teams", "0004_organization_ownership"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name="historicalmeasure", name="records_events",
                            field=models.BooleanField(**RECORDS_EVENTS)),
        migrations.AddField(model_name="measure", name="records_events",
                            field=models.BooleanField(**RECORDS_EVENTS)),
        migrations.CreateModel(
            name="HistoricalMeasureEvent",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True,
                                              verbose_name="ID")),
                ("date", models.DateField(validators=[collaboratives.validators.validate_date_in_window],
                                          verbose_name="date")),
                ("note", models.CharField(**NOTE)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                ("history_type", models.CharField(
                    choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                ("created_by", models.ForeignKey(
                    blank=True, db_constraint=False, null=True,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                    to=settings.AUTH_USER_MODEL)),
                ("history_user", models.ForeignKey(
                    null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to=settings.AUTH_USER_MODEL)),
                ("measure", models.ForeignKey(
                    blank=True, db_constraint=False, null=True,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                    to="measures.measure")),
                ("team", models.ForeignKey(
                    blank=True, db_constraint=False, null=True,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="teams.team")),
            ],
            options={
                "verbose_name": "historical event",
                "verbose_name_plural": "historical events",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="MeasureEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("date", models.DateField(validators=[collaboratives.validators.validate_date_in_window],
                                          verbose_name="date")),
                ("note", models.CharField(**NOTE)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+", to=settings.AUTH_USER_MODEL)),
                ("measure", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="events",
                    to="measures.measure")),
                ("team", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="measure_events",
                    to="teams.team")),
            ],
            options={
                "verbose_name": "event",
                "verbose_name_plural": "events",
                "ordering": ["-date", "-pk"],
                "indexes": [models.Index(fields=["team", "measure", "date"],
                                         name="measures_me_team_id_e99103_idx")],
            },
        ),
    ]
