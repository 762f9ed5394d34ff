"""Request id for logs and the audit trail; login required for every page but a few; the API's
error shape on every error under ``/api/``."""

import uuid
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
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


# /health/ answers load balancers, which never sign in.
PUBLIC_PREFIXES = ("/accounts/login/", "/api/", "/static/", "/favicon.ico", "/health/")


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


API_PREFIX = "/api/"
_API_ERROR_CODES = {404: "not_found", 405: "method_not_allowed", 500: "server_error"}


class ApiErrorShapeMiddleware:
    """Under ``/api/``, answers every error in the API's one shape
    ``{"error": {"status", "code", "message", "fields"}}``, also those that Django or Ninja
    write themselves as HTML or plain text: an URL that matches no route (``/partners/abc``),
    a method the route does not have, a server error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = "Error"
        shaped = JsonResponse(
            {
                "error": {
                    "status": status,
                    "code": _API_ERROR_CODES.get(status, "http_error"),
                    "message": f"{message}.",
                    "fields": {},
                }
            },
            status=status,
        )
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped


class RejectNulCharactersMiddleware:
    """Pages refuse query or form values containing a NUL character with a 400.

    No user types one, PostgreSQL cannot store or compare it, and a view that reads a raw
    parameter (a search box, a sign-in name) would otherwise fail with a server error. The
    API checks its input in its schemas and answers 422 there, so ``/api/`` is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            for source in (request.GET, request.POST):
                for key, values in source.lists():
                    if "\x00" in key or any("\x00" in value for value in values):
                        return HttpResponse(
                            "Bad request: a parameter contains a NUL character.",
                            status=400,
                            content_type="text/plain; charset=utf-8",
                        )
        return self.get_response(request)
