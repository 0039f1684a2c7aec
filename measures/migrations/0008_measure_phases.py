import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import collaboratives.validators


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0007_measure_events"),
        ("collaboratives", "0002_changeidea_historicalchangeidea_and_more"),
        ("teams", "0004_organization_ownership"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalMeasurePhase',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('start_month', models.DateField(help_text='The first day of the month.', verbose_name='first month of the phase')),
                ('reason', models.CharField(help_text='For example: Adopted: greeting song at drop-off.', max_length=200, validators=[collaboratives.validators.validate_one_line], verbose_name='reason')),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('change_idea', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='collaboratives.changeidea', verbose_name='adopted change idea')),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('measure', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='measures.measure')),
                ('team', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='teams.team')),
            ],
            options={
                'verbose_name': 'historical chart phase',
                'verbose_name_plural': 'historical chart phases',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='MeasurePhase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start_month', models.DateField(help_text='The first day of the month.', verbose_name='first month of the phase')),
                ('reason', models.CharField(help_text='For example: Adopted: greeting song at drop-off.', max_length=200, validators=[collaboratives.validators.validate_one_line], verbose_name='reason')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('change_idea', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='measure_phases', to='collaboratives.changeidea', verbose_name='adopted change idea')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('measure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='phases', to='measures.measure')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='measure_phases', to='teams.team')),
            ],
            options={
                'verbose_name': 'chart phase',
                'verbose_name_plural': 'chart phases',
                'ordering': ['measure', 'team', 'start_month'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('team__isnull', False)), fields=('measure', 'team', 'start_month'), name='measure_phase_one_per_month', violation_error_message='A phase already starts in this month.'), models.UniqueConstraint(condition=models.Q(('team__isnull', True)), fields=('measure', 'start_month'), name='measure_phase_one_per_month_pooled', violation_error_message='A phase already starts in this month.'), models.CheckConstraint(condition=models.Q(('start_month__day', 1)), name='measure_phase_month_first_day', violation_error_message='A month is stored as its first day.')],
            },
        ),
    ]
