from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("collaboratives", "0007_api_tokens")]

    operations = [
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task", models.CharField(max_length=200)),
                ("kwargs", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "indexes": [models.Index(condition=models.Q(("sent_at__isnull", True)), fields=["id"],
                                         name="outbox_unsent")],
            },
        ),
    ]
