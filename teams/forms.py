"""Forms for teams, their organizations and their members."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from collaboratives.forms import PersonForm
from collaboratives.models import USState
from collaboratives.validators import validate_one_line
from teams.models import MemberRole, Membership, Organization, Team


class TeamCreateForm(forms.Form):
    """A team for an organization already known, or for a new one described here."""

    name = forms.CharField(
        label=_("Team name"), max_length=200, validators=[validate_one_line],
        help_text=_("Usually the program's name, e.g. Sunrise Early Learning Center."),
    )
    organization = forms.ModelChoiceField(
        label=_("Existing organization"), queryset=Organization.objects.none(), required=False,
        help_text=_("Leave empty to describe a new organization below."),
    )
    new_organization_name = forms.CharField(
        label=_("New organization name"), max_length=200, required=False,
        validators=[validate_one_line],
    )
    new_organization_kind = forms.ChoiceField(
        label=_("Kind of program"), choices=[("", "---------"), *Organization.Kind.choices],
        required=False,
    )
    new_organization_funding = forms.MultipleChoiceField(
        label=_("Funding streams"), choices=Organization.FundingStream.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_organization_city = forms.CharField(label=_("City"), max_length=100, required=False)
    new_organization_state = forms.ChoiceField(
        label=_("State"), choices=[("", "---------"), *USState.choices], required=False
    )

    def __init__(self, *args, state: str = "",
                 organizations: QuerySet[Organization] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # ``organizations``: the programs the advisor may attach (access.organizations_offered_to),
        # here narrowed to the collaborative's state. Nothing is offered unless the view says
        # which: another collaborative's program is not this advisor's to browse or attach.
        offered = Organization.objects.none() if organizations is None else organizations
        self.fields["organization"].queryset = offered.filter(state=state).order_by("name")
        self.fields["new_organization_state"].initial = state

    def clean(self) -> dict:
        cleaned = super().clean()
        new_fields = ("new_organization_name", "new_organization_kind", "new_organization_city",
                      "new_organization_state")
        if cleaned.get("organization"):
            if cleaned.get("new_organization_name"):
                raise ValidationError(
                    _("Choose an existing organization or describe a new one, not both."),
                    code="organization_choice",
                )
            return cleaned
        for name in new_fields:
            if not cleaned.get(name):
                self.add_error(name, ValidationError(
                    _("Needed for a new organization (or choose an existing one above)."),
                    code="required",
                ))
        return cleaned

    def new_organization(self) -> dict | None:
        if self.cleaned_data.get("organization"):
            return None
        data = self.cleaned_data
        return {
            "name": data["new_organization_name"], "kind": data["new_organization_kind"],
            "funding_streams": data["new_organization_funding"],
            "city": data["new_organization_city"], "state": data["new_organization_state"],
        }


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]


class OrganizationForm(forms.ModelForm):
    funding_streams = forms.MultipleChoiceField(
        label=_("Funding streams"), choices=Organization.FundingStream.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organization
        fields = ["name", "kind", "funding_streams", "city", "state"]


class MemberAddForm(PersonForm):
    # No default: a hurried advisor would otherwise add every parent as an administrator.
    role = forms.ChoiceField(label=_("Role on the team"),
                             choices=[("", _("Choose a role…")), *MemberRole.choices])
    is_lead = forms.BooleanField(label=_("Team lead"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "We email them an invitation; they join the team once they accept.")


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "is_lead"]
