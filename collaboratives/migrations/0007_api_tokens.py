# Named API tokens that expire, stored as a SHA-256 of the key (issue #10, hole 2). DRF's
# rest_framework.authtoken keys (never expiring, kept in plain text) are no longer accepted:
# the app is no longer installed, so its table stays unread in databases that have it.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import collaboratives.validators


class Migration(migrations.Migration):
    dependencies = [
        ("collaboratives", "0006_dates_in_window_and_one_line_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("name", models.CharField(
                    help_text="What uses it, e.g. “laptop script”.", max_length=100,
                    validators=[collaboratives.validators.validate_one_line],
                    verbose_name="name")),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created", models.DateTimeField(verbose_name="created")),
                ("expires", models.DateTimeField(verbose_name="expires")),
                ("last_used", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="api_tokens", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "name"), name="api_token_unique_name_per_user",
                        violation_error_message="You already have a token with this name."),
                    models.CheckConstraint(condition=models.Q(("expires__gt", models.F("created"))),
                                           name="api_token_expires_after_created"),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalApiToken",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True,
                                              verbose_name="ID")),
                ("name", models.CharField(
                    help_text="What uses it, e.g. “laptop script”.", max_length=100,
                    validators=[collaboratives.validators.validate_one_line],
                    verbose_name="name")),
                ("created", models.DateTimeField(verbose_name="created")),
                ("expires", models.DateTimeField(verbose_name="expires")),
                ("last_used", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                ("history_type", models.CharField(
                    choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                ("history_user", models.ForeignKey(
                    null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to=settings.AUTH_USER_MODEL)),
                ("user", models.ForeignKey(
                    blank=True, db_constraint=False, null=True,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                    to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "historical API token",
                "verbose_name_plural": "historical API tokens",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
