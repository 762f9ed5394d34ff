from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “ERP import”.")
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class UserForm(forms.ModelForm):
    """An administrator's form for a user: names, roles, the partner for partner users."""

    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, required=False, strip=False
    )

    class Meta:
        from partnerdesk.accounts.models import User

        model = User
        fields = ["username", "first_name", "last_name", "email", "partner", "is_active"]

    def __init__(self, *args, **kwargs):
        from partnerdesk.accounts.roles import ROLE_LABELS

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(k, v) for k, v in ROLE_LABELS.items()]
        if self.instance.pk:
            del self.fields["password"]
            self.initial["roles"] = list(self.instance.groups.values_list("name", flat=True))
        else:
            self.fields["password"].required = True

    def validate_unique(self):
        pass
