from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measures", "0008_measure_phases")]

    operations = [
        migrations.AddField(
            model_name='historicalmeasure',
            name='denominator_definition_es',
            field=models.CharField(blank=True, max_length=300, verbose_name='denominator in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalmeasure',
            name='denominator_label_es',
            field=models.CharField(blank=True, max_length=80, verbose_name='denominator name in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalmeasure',
            name='name_es',
            field=models.CharField(blank=True, help_text='Optional. Shown to people who use the portal in Spanish.', max_length=200, verbose_name='name in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalmeasure',
            name='numerator_definition_es',
            field=models.CharField(blank=True, max_length=300, verbose_name='numerator in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalmeasure',
            name='numerator_label_es',
            field=models.CharField(blank=True, max_length=80, verbose_name='numerator name in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalmeasure',
            name='operational_definition_es',
            field=models.TextField(blank=True, verbose_name='operational definition in Spanish'),
        ),
        migrations.AddField(
            model_name='measure',
            name='denominator_definition_es',
            field=models.CharField(blank=True, max_length=300, verbose_name='denominator in Spanish'),
        ),
        migrations.AddField(
            model_name='measure',
            name='denominator_label_es',
            field=models.CharField(blank=True, max_length=80, verbose_name='denominator name in Spanish'),
        ),
        migrations.AddField(
            model_name='measure',
            name='name_es',
            field=models.CharField(blank=True, help_text='Optional. Shown to people who use the portal in Spanish.', max_length=200, verbose_name='name in Spanish'),
        ),
        migrations.AddField(
            model_name='measure',
            name='numerator_definition_es',
            field=models.CharField(blank=True, max_length=300, verbose_name='numerator in Spanish'),
        ),
        migrations.AddField(
            model_name='measure',
            name='numerator_label_es',
            field=models.CharField(blank=True, max_length=80, verbose_name='numerator name in Spanish'),
        ),
        migrations.AddField(
            model_name='measure',
            name='operational_definition_es',
            field=models.TextField(blank=True, verbose_name='operational definition in Spanish'),
        ),
    ]
