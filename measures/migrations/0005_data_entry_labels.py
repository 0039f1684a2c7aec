from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measures", "0004_rare_event_and_prime_charts")]

    operations = [
        migrations.AddField(
            model_name="historicalmeasure",
            name="denominator_label",
            field=models.CharField(blank=True, help_text="A short name for the data-entry field, e.g. “Children enrolled on the 15th”.", max_length=80, verbose_name="denominator name"),
        ),
        migrations.AddField(
            model_name="historicalmeasure",
            name="numerator_label",
            field=models.CharField(blank=True, help_text="A short name for the data-entry field, e.g. “Exclusion events”.", max_length=80, verbose_name="numerator name"),
        ),
        migrations.AddField(
            model_name="measure",
            name="denominator_label",
            field=models.CharField(blank=True, help_text="A short name for the data-entry field, e.g. “Children enrolled on the 15th”.", max_length=80, verbose_name="denominator name"),
        ),
        migrations.AddField(
            model_name="measure",
            name="numerator_label",
            field=models.CharField(blank=True, help_text="A short name for the data-entry field, e.g. “Exclusion events”.", max_length=80, verbose_name="numerator name"),
        ),
    ]
