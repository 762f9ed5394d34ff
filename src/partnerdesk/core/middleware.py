"""Request id for logs and the audit trail; login required for every page but a few."""

import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url

from partnerdesk.core.request_context import current_request_id


class RequestIdMiddleware:
    """Gives each request an id (or keeps a sane incoming ``X-Request-ID``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


PUBLIC_PREFIXES = ("/accounts/login/", "/api/", "/static/", "/favicon.ico")


class LoginRequiredMiddleware:
    """Every page needs a signed-in user; the API authenticates with tokens on its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated or request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if getattr(request, "htmx", False):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return response
        return redirect_to_login(request.get_full_path())
