from django import forms

from partnerdesk.organisation.models import Department, Person, Team


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "job_title",
            "department",
            "team",
            "email",
            "phone",
            "user",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.select_related("department")
        # Only internal users can be an employee; partner users never are.
        self.fields["user"].queryset = self.fields["user"].queryset.filter(partner__isnull=True)

    def validate_unique(self):
        pass  # the service validates, so the UI and the API say the same


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["department", "name", "lead"]

    def validate_unique(self):
        pass


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "head"]
