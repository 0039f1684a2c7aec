# Organizations get the person who described them (who may change them is decided with the
# teams attached: teams.access.can_edit_organization); memberships added by email wait for
# the person to accept and keep what the advisor typed (issue #10, holes 1 and 8). Existing
# memberships count as accepted: the callable default fills them with the migration's time.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("teams", "0003_one_line_names_and_invitation_pending"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmembership',
            name='accepted_at',
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False, null=True, verbose_name='accepted'),
        ),
        migrations.AddField(
            model_name='historicalmembership',
            name='invited_email',
            field=models.EmailField(blank=True, editable=False, max_length=254, verbose_name='invited email'),
        ),
        migrations.AddField(
            model_name='historicalmembership',
            name='invited_name',
            field=models.CharField(blank=True, editable=False, max_length=301, verbose_name='invited name'),
        ),
        migrations.AddField(
            model_name='historicalorganization',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='membership',
            name='accepted_at',
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False, null=True, verbose_name='accepted'),
        ),
        migrations.AddField(
            model_name='membership',
            name='invited_email',
            field=models.EmailField(blank=True, editable=False, max_length=254, verbose_name='invited email'),
        ),
        migrations.AddField(
            model_name='membership',
            name='invited_name',
            field=models.CharField(blank=True, editable=False, max_length=301, verbose_name='invited name'),
        ),
        migrations.AddField(
            model_name='organization',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
