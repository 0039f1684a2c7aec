# Pareto tallies: a team's counts by category over a period, drawn as a Pareto chart.

import collaboratives.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0005_data_entry_labels"),
        ("teams", "0004_organization_ownership"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalParetoTally',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('title', models.CharField(max_length=200, validators=[collaboratives.validators.validate_one_line], verbose_name='title')),
                ('start', models.DateField(validators=[collaboratives.validators.validate_date_in_window], verbose_name='period start')),
                ('end', models.DateField(validators=[collaboratives.validators.validate_date_in_window], verbose_name='period end')),
                ('created', models.DateTimeField(blank=True, editable=False)),
                ('updated', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('team', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='teams.team')),
            ],
            options={
                'verbose_name': 'historical Pareto tally',
                'verbose_name_plural': 'historical Pareto tallies',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ParetoTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, validators=[collaboratives.validators.validate_one_line], verbose_name='title')),
                ('start', models.DateField(validators=[collaboratives.validators.validate_date_in_window], verbose_name='period start')),
                ('end', models.DateField(validators=[collaboratives.validators.validate_date_in_window], verbose_name='period end')),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pareto_tallies', to='teams.team')),
            ],
            options={
                'verbose_name': 'Pareto tally',
                'verbose_name_plural': 'Pareto tallies',
                'ordering': ['-end', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ParetoCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=120, validators=[collaboratives.validators.validate_one_line], verbose_name='category')),
                ('count', models.PositiveIntegerField(verbose_name='count')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('tally', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='measures.paretotally')),
            ],
            options={
                'verbose_name': 'Pareto category',
                'verbose_name_plural': 'Pareto categories',
                'ordering': ['tally', 'order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalParetoCategory',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('label', models.CharField(max_length=120, validators=[collaboratives.validators.validate_one_line], verbose_name='category')),
                ('count', models.PositiveIntegerField(verbose_name='count')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tally', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='measures.paretotally')),
            ],
            options={
                'verbose_name': 'historical Pareto category',
                'verbose_name_plural': 'historical Pareto categories',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name='paretotally',
            constraint=models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='pareto_tally_end_after_start', violation_error_message='The period cannot end before it starts.'),
        ),
        migrations.AddConstraint(
            model_name='paretocategory',
            constraint=models.UniqueConstraint(fields=('tally', 'label'), name='pareto_category_unique_label', violation_error_message='Each category appears once in a tally.'),
        ),
    ]
