# Photos and files on a PDSA cycle (pdsa.attachments), with their history.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import collaboratives.validators
import pdsa.models


class Migration(migrations.Migration):
    dependencies = [
        ("pdsa", "0003_stage_by_stage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalCycleAttachment",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("file", models.TextField(max_length=255, verbose_name="file")),
                (
                    "original_name",
                    models.CharField(
                        max_length=200,
                        validators=[collaboratives.validators.validate_one_line],
                        verbose_name="file name",
                    ),
                ),
                (
                    "content_type",
                    models.CharField(
                        choices=[
                            ("image/jpeg", "JPEG photo"),
                            ("image/png", "PNG image"),
                            ("image/webp", "WebP image"),
                            ("application/pdf", "PDF document"),
                        ],
                        max_length=40,
                        verbose_name="type",
                    ),
                ),
                ("size", models.PositiveIntegerField(verbose_name="size in bytes")),
                (
                    "caption",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[collaboratives.validators.validate_one_line],
                        verbose_name="caption",
                    ),
                ),
                ("width", models.PositiveIntegerField(blank=True, null=True)),
                ("height", models.PositiveIntegerField(blank=True, null=True)),
                ("uploaded_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "cycle",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pdsa.cycle",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical photo or file",
                "verbose_name_plural": "historical photos and files",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="CycleAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255,
                        storage=pdsa.models.attachment_storage,
                        upload_to=pdsa.models.attachment_path,
                        verbose_name="file",
                    ),
                ),
                (
                    "original_name",
                    models.CharField(
                        max_length=200,
                        validators=[collaboratives.validators.validate_one_line],
                        verbose_name="file name",
                    ),
                ),
                (
                    "content_type",
                    models.CharField(
                        choices=[
                            ("image/jpeg", "JPEG photo"),
                            ("image/png", "PNG image"),
                            ("image/webp", "WebP image"),
                            ("application/pdf", "PDF document"),
                        ],
                        max_length=40,
                        verbose_name="type",
                    ),
                ),
                ("size", models.PositiveIntegerField(verbose_name="size in bytes")),
                (
                    "caption",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[collaboratives.validators.validate_one_line],
                        verbose_name="caption",
                    ),
                ),
                ("width", models.PositiveIntegerField(blank=True, null=True)),
                ("height", models.PositiveIntegerField(blank=True, null=True)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="pdsa.cycle",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "photo or file",
                "verbose_name_plural": "photos and files",
                "ordering": ["uploaded_at", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("size__gte", 1)),
                        name="pdsa_attachment_not_empty",
                        violation_error_message="The file is empty.",
                    )
                ],
            },
        ),
    ]
