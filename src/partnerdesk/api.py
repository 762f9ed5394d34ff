"""The REST API under ``/api/v1/``: one NinjaAPI, one error shape, token or session auth.

Each app contributes a router in its ``api.py``; this module mounts them and turns every error
into ``{"error": {"status", "code", "message", "fields"}}``.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from partnerdesk.accounts.services import api_token_authenticate
from partnerdesk.core.errors import ApplicationError


class BearerToken(HttpBearer):
    """``Authorization: Bearer pd_…`` with a personal token (``partnerdesk create-token``)."""

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Partnerdesk API",
    version="1",
    description="Partners, contacts, certifications and documents. Authenticate with a "
    "personal token: `Authorization: Bearer <token>`.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def error_response(request, status: int, code: str, message: str, fields=None):
    return api.create_response(
        request,
        {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if loc[:1] == ["file"]:  # an uploaded file is located as ("file", <parameter name>)
            loc = loc[1:]
        loc = [
            str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "filters")
        ]
        fields.setdefault(".".join(loc) or "request", []).append(error.get("msg", "invalid"))
    return error_response(
        request, 422, "validation_error", "The request has invalid fields.", fields
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error_response(
        request, 401, "unauthenticated", "Send a valid token: Authorization: Bearer <token>."
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(ObjectDoesNotExist)
def on_object_missing(request, exc):
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error_response(request, 403, "forbidden", "You are not allowed to do this.")


def _mount_routers() -> None:
    from partnerdesk.accounts.api import router as accounts_router
    from partnerdesk.contracts.api import router as contracts_router
    from partnerdesk.finance.api import router as finance_router
    from partnerdesk.finance.import_api import router as finance_import_router
    from partnerdesk.partners.api import router as partners_router
    from partnerdesk.performance.api import router as performance_router
    from partnerdesk.quality.api import router as quality_router
    from partnerdesk.regrind.api import router as regrind_router

    api.add_router("", accounts_router)
    api.add_router("", partners_router)
    api.add_router("", contracts_router)
    api.add_router("", performance_router)
    api.add_router("", finance_router)
    api.add_router("", finance_import_router)
    api.add_router("/quality", quality_router)
    api.add_router("/regrind", regrind_router)


_mount_routers()
