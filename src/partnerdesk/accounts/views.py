"""Sign in (throttled), sign out, and personal API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerdesk.accounts import services, users as user_services
from partnerdesk.accounts.forms import ApiTokenForm, UserForm
from partnerdesk.accounts.models import ApiToken, User
from partnerdesk.core.views_helpers import save_form


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class LoginView(auth_views.LoginView):
    """Django's sign-in, refusing further attempts after too many failures."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if services.login_is_throttled(username=username, ip_address=client_ip(request)):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Too many failed sign-in attempts. Wait 15 minutes and try "
                    "again, or ask an administrator to reset your password."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        services.login_failure_record(
            username=self.request.POST.get("username", ""), ip_address=client_ip(self.request)
        )
        return super().form_invalid(form)

    def form_valid(self, form):
        services.login_success_clear(username=form.get_user().get_username())
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def token_list(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: services.api_token_create(
                user=request.user, name=data["name"], expires_at=data.get("expires_at")
            ),
        )
        if created:
            new_token = created[1]
            form = ApiTokenForm()
    tokens = request.user.api_tokens.all()
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


def _can_manage(request, action: str) -> None:
    from django.http import Http404

    if not request.user.has_perm(f"accounts.{action}_user"):
        raise Http404


def user_list(request):
    _can_manage(request, "view")
    from django.core.paginator import Paginator

    users = User.objects.order_by("username").select_related("partner").prefetch_related("groups")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(username__icontains=query) | users.filter(last_name__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": query})


@require_http_methods(["GET", "POST"])
def user_create(request):
    _can_manage(request, "add")
    form = UserForm(request.POST or None)
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: user_services.user_create(
                actor=request.user,
                roles=data["roles"],
                password=data["password"],
                data={k: v for k, v in data.items() if k not in ("roles", "password")},
            ),
            success_message=_("User created."),
        )
        if created:
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


@require_http_methods(["GET", "POST"])
def user_edit(request, pk):
    _can_manage(request, "change")
    target = get_object_or_404(User, pk=pk)
    form = UserForm(request.POST or None, instance=target)
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: user_services.user_update(
                actor=request.user,
                user=target,
                roles=data["roles"],
                data={k: v for k, v in data.items() if k != "roles"},
            ),
            success_message=_("User saved."),
        )
        if updated:
            return redirect("accounts:users")
    from partnerdesk.audit.selectors import history_for

    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "history": history_for(instance=target, user=request.user),
        },
    )
