"""Forms of the partners app. They validate shapes; the services enforce the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerdesk.organisation.models import Person
from partnerdesk.partners.choices import OwnerRole
from partnerdesk.partners.models import (
    Certification,
    Partner,
    PartnerContact,
    PartnerDocument,
)


class PartnerForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = [
            "code",
            "legal_name",
            "kind",
            "country",
            "currency",
            "tax_id",
            "website",
            "categories",
            "capabilities",
            "notes",
        ]
        widgets = {
            "categories": forms.CheckboxSelectMultiple,
            "capabilities": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def validate_unique(self):
        # Uniqueness is checked by the service so the UI and the API say the same thing.
        pass


class ContactForm(forms.ModelForm):
    class Meta:
        model = PartnerContact
        fields = ["name", "role", "job_title", "email", "phone", "is_primary", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class OwnerForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=OwnerRole.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(is_active=True).select_related(
            "department"
        )


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = [
            "standard",
            "other_standard",
            "certificate_number",
            "issuer",
            "scope",
            "issued_on",
            "expires_on",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }


class DocumentForm(forms.ModelForm):
    file = forms.FileField(label=_("File"))

    class Meta:
        model = PartnerDocument
        fields = ["document_type", "title", "valid_from", "valid_until", "confidential"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, can_mark_confidential: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        if not can_mark_confidential:
            del self.fields["confidential"]
