"""Who may open what: every UI page and every API operation, asked by every kind of user.

The pages are found by walking the URL resolver, the operations by walking the API's OpenAPI
paths; each must have a row in the matrix below, so a new page or endpoint without a stated
expectation fails here. Every object in a URL belongs to partner A ("CMO-VICTIM"). The actors:

* ``anon``: not signed in (UI: redirect to the login page; API: 401);
* one user per role in ``accounts/roles.py``; the ``partner`` column is a user of partner A
  itself;
* ``other``: a partner user of ANOTHER partner B, who must get 404 for everything of A and never
  see A's records in a list.

The regrind module's rows, records and bodies are in ``permission_matrix_regrind.py``.

The world is built once per module (per xdist worker) inside a transaction that is rolled back
at the end; each test runs in a savepoint of it (pytest-django's ``db``), and each write request
in a savepoint of that, so every test and every actor meets the same world.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse

from partnerdesk.accounts.roles import ROLE_PERMISSIONS
from partnerdesk.accounts.services import api_token_create
from partnerdesk.api import api
from partnerdesk.audit.models import AuditEntry
from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.partners import services
from partnerdesk.performance.models import CreditProposal, Metric, PartnerScore
from partnerdesk.performance.services.closing import close_month
from partnerdesk.performance.services.measurements import measurement_record
from partnerdesk.performance.services.policies import policy_create
from partnerdesk.performance.services.service_levels import (
    exclusion_request,
    service_level_create,
)
from partnerdesk.quality.models import AuditTemplate
from tests import permission_matrix_regrind as regrind
from tests.factories import (
    PDF,
    CertificationFactory,
    DeliverableFactory,
    DepartmentFactory,
    InternalOwnerFactory,
    PartnerContactFactory,
    PartnerFactory,
    PersonFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

ACTORS = (
    "anon",
    "administrator",
    "compliance",
    "finance",
    "management",
    "manufacturing",
    "outsourcing",
    "quality",
    "machine",
    "partner",
    "other",
)
SIGNED_IN = ACTORS[1:]
STAFF = tuple(a for a in SIGNED_IN if a not in ("machine", "partner", "other"))
KINDS = ("contact", "owner", "certification")

# --- UI pages: the status each actor gets for a GET ------------------------------------------
# 302 for anon means "redirected to the login page"; 405 is a POST-only page.
# quality:cost_correct is also a cost event's detail page (the cost list links every row to
# it): viewers read it; only who may add cost events gets the correction form (test below).
UI_MATRIX = """
                                      anon adm cmp fin mgt mfg out qua mch prt oth
core:home                              302 200 200 200 200 200 200 200 200 200 200
core:health                            200 200 200 200 200 200 200 200 200 200 200
accounts:login                         200 302 302 302 302 302 302 302 302 302 302
accounts:logout                        302 405 405 405 405 405 405 405 405 405 405
accounts:tokens                        302 200 200 200 200 200 200 200 200 200 200
accounts:token_revoke                  302 405 405 405 405 405 405 405 405 405 405
accounts:users                         302 200 404 404 404 404 404 404 404 404 404
accounts:user_create                   302 200 404 404 404 404 404 404 404 404 404
accounts:user_edit                     302 200 404 404 404 404 404 404 404 404 404
organisation:people                    302 200 200 200 200 200 200 200 404 404 404
organisation:person_create             302 200 404 404 404 404 404 404 404 404 404
organisation:person                    302 200 200 200 200 200 200 200 404 404 404
organisation:person_edit               302 200 404 404 404 404 404 404 404 404 404
organisation:departments               302 200 200 200 200 200 200 200 404 404 404
organisation:department_edit           302 200 404 404 404 404 404 404 404 404 404
organisation:team_create               302 200 404 404 404 404 404 404 404 404 404
organisation:team_edit                 302 200 404 404 404 404 404 404 404 404 404
partners:list                          302 200 200 200 200 200 200 200 200 200 200
partners:create                        302 200 404 404 404 404 200 404 404 404 404
partners:contacts                      302 200 200 200 200 200 200 200 200 200 200
partners:certifications                302 200 200 200 200 200 200 200 200 200 200
partners:documents                     302 200 200 200 200 200 200 200 200 200 200
partners:document_download             302 200 200 200 200 200 200 200 404 200 404
partners:document_delete               302 200 404 404 404 404 200 404 404 404 404
partners:detail                        302 200 200 200 200 200 200 200 404 200 404
partners:edit                          302 200 404 404 404 404 200 404 404 404 404
partners:status                        302 200 404 404 200 404 200 404 404 404 404
partners:delete                        302 200 404 404 404 404 404 404 404 404 404
partners:document_upload               302 200 200 200 404 404 200 200 404 404 404
partners:child_create[contact]         302 200 404 200 404 404 200 200 404 404 404
partners:child_create[owner]           302 200 404 404 404 404 200 404 404 404 404
partners:child_create[certification]   302 200 404 404 404 404 200 200 404 404 404
partners:child_edit[contact]           302 200 404 200 404 404 200 200 404 404 404
partners:child_edit[owner]             302 404 404 404 404 404 404 404 404 404 404
partners:child_edit[certification]     302 200 404 404 404 404 200 200 404 404 404
partners:child_delete[contact]         302 200 404 404 404 404 200 404 404 404 404
partners:child_delete[owner]           302 200 404 404 404 404 200 404 404 404 404
partners:child_delete[certification]   302 200 404 404 404 404 200 200 404 404 404
contracts:list                         302 200 200 200 200 200 200 200 404 200 200
contracts:create                       302 200 404 404 404 404 200 404 404 404 404
contracts:detail                       302 200 200 200 200 200 200 200 404 200 404
contracts:edit                         302 200 404 404 404 404 200 404 404 404 404
contracts:amend                        302 200 404 404 404 404 200 404 404 404 404
contracts:status                       302 200 404 404 404 404 200 404 404 404 404
contracts:raci                         302 200 404 404 404 404 200 404 404 404 404
contracts:disputes                     302 200 404 404 404 404 200 404 404 404 404
contracts:attachment_add               302 200 404 404 404 404 200 404 404 404 404
contracts:deliverable_create           302 200 404 404 404 404 200 404 404 404 404
contracts:deliverable_edit             302 200 404 404 404 404 200 404 404 404 404
contracts:deliverable_record           302 405 405 405 405 405 405 405 405 405 405
performance:metrics                    302 200 200 200 200 200 200 200 404 404 404
performance:metric_create              302 200 404 404 200 404 404 404 404 404 404
performance:metric_update              302 200 404 404 200 404 404 404 404 404 404
performance:contract_service_levels    302 200 200 200 200 200 200 200 404 200 404
performance:service_level_create       302 200 404 404 404 404 200 404 404 404 404
performance:service_level              302 200 200 200 200 200 200 200 404 200 404
performance:terms_add_version          302 200 404 404 404 404 200 404 404 404 404
performance:exclusion_request          302 405 405 405 405 405 405 405 405 405 405
performance:exclusion_decide           302 405 405 405 405 405 405 405 405 405 405
performance:measurements               302 200 200 200 200 200 200 200 200 200 200
performance:measurement_record         302 200 404 404 404 404 200 200 404 404 404
performance:measurement_correct        302 200 404 404 404 404 200 200 404 404 404
performance:measurement_import         302 200 404 404 404 404 200 200 404 404 404
performance:closes                     302 200 200 200 200 200 200 200 404 404 404
performance:close                      302 200 200 200 200 200 200 200 404 404 404
performance:explain_result             302 200 200 200 200 200 200 200 404 404 404
performance:proposals                  302 200 200 200 200 200 200 200 404 404 404
performance:scorecards                 302 200 200 200 200 200 200 200 404 200 200
performance:scorecard                  302 200 200 200 200 200 200 200 404 200 404
performance:explain_score              302 200 200 200 200 200 200 200 404 200 404
performance:policies                   302 200 200 200 200 200 200 200 404 404 404
performance:policy_create              302 200 404 404 200 404 404 404 404 404 404
finance:orders                         302 200 200 200 200 200 200 200 404 200 200
finance:order_create                   302 200 404 404 404 404 200 404 404 404 404
finance:order                          302 200 200 200 200 200 200 200 404 200 404
finance:receipts                       302 200 200 200 200 200 200 200 404 200 200
finance:receipt_create                 302 200 404 404 404 404 200 404 404 404 404
finance:receipt                        302 200 200 200 200 200 200 200 404 200 404
finance:invoices                       302 200 200 200 200 200 200 200 404 200 200
finance:invoice_create                 302 200 404 200 404 404 404 404 404 404 404
finance:invoice                        302 200 200 200 200 200 200 200 404 200 404
finance:exceptions                     302 200 200 200 200 200 200 200 404 404 404
finance:exception                      302 200 200 200 200 200 200 200 404 404 404
finance:reconciliations                302 200 200 200 200 200 200 200 404 404 404
finance:reconciliation                 302 200 200 200 200 200 200 200 404 404 404
finance:reconciliation_export          302 200 200 200 200 200 200 200 404 404 404
finance:profiles                       302 200 200 200 200 200 200 200 404 404 404
finance:profile_create                 302 200 404 200 404 404 404 404 404 404 404
finance:profile_edit                   302 200 404 200 404 404 404 404 404 404 404
finance:profile_delete                 302 200 404 200 404 404 404 404 404 404 404
finance:categories                     302 200 200 200 200 200 200 200 404 404 404
finance:document_import                302 200 404 200 404 404 200 404 404 404 404
notifications:list                     302 200 200 200 200 200 200 200 200 200 200
notifications:read                     302 405 405 405 405 405 405 405 405 405 405
audit:log                              302 200 200 200 200 200 200 200 404 404 404
quality:home                           302 200 200 200 200 200 200 200 404 200 200
quality:audit_list                     302 200 200 200 200 200 200 200 404 200 200
quality:audit_create                   302 200 404 404 404 404 404 200 404 404 404
quality:audit_detail                   302 200 200 200 200 200 200 200 404 200 404
quality:audit_conduct                  302 200 404 404 404 404 404 200 404 404 404
quality:audit_report                   302 200 200 200 200 200 200 200 404 200 404
quality:audit_start                    302 405 405 405 405 405 405 405 405 405 405
quality:audit_close                    302 405 405 405 405 405 405 405 405 405 405
quality:audit_cancel                   302 405 405 405 405 405 405 405 405 405 405
quality:evidence_upload                302 405 405 405 405 405 405 405 405 405 405
quality:answer_save                    302 405 405 405 405 405 405 405 405 405 405
quality:answer_nc                      302 405 405 405 405 405 405 405 405 405 405
quality:evidence_file                  302 200 200 200 200 200 200 200 404 200 404
quality:evidence_delete                302 405 405 405 405 405 405 405 405 405 405
quality:schedule_list                  302 200 200 200 200 200 200 200 404 404 404
quality:schedule_create                302 200 404 404 404 404 404 200 404 404 404
quality:schedule_edit                  302 200 404 404 404 404 404 200 404 404 404
quality:template_list                  302 200 200 200 200 200 200 200 404 404 404
quality:template_create                302 200 404 404 404 404 404 200 404 404 404
quality:template_detail                302 200 200 200 200 200 200 200 404 404 404
quality:template_edit                  302 200 404 404 404 404 404 200 404 404 404
quality:section_create                 302 200 404 404 404 404 404 200 404 404 404
quality:section_edit                   302 200 404 404 404 404 404 200 404 404 404
quality:section_delete                 302 200 404 404 404 404 404 200 404 404 404
quality:question_create                302 200 404 404 404 404 404 200 404 404 404
quality:question_edit                  302 200 404 404 404 404 404 200 404 404 404
quality:question_delete                302 200 404 404 404 404 404 200 404 404 404
quality:standard_list                  302 200 200 200 200 200 200 200 404 404 404
quality:standard_create                302 200 404 404 404 404 404 200 404 404 404
quality:standard_detail                302 200 200 200 200 200 200 200 404 404 404
quality:standard_edit                  302 200 404 404 404 404 404 200 404 404 404
quality:parameter_create               302 200 404 404 404 404 404 200 404 404 404
quality:parameter_edit                 302 200 404 404 404 404 404 200 404 404 404
quality:parameter_delete               302 405 405 405 405 405 405 405 405 405 405
quality:lot_list                       302 200 200 200 200 200 200 200 404 200 200
quality:lot_todo                       302 200 404 404 404 404 404 200 404 404 404
quality:lot_open                       302 200 404 404 404 404 404 200 404 404 404
quality:lot_detail                     302 200 200 200 200 200 200 200 404 200 404
quality:lot_readings                   302 405 405 405 405 405 405 405 405 405 405
quality:lot_import                     302 405 405 405 405 405 405 405 405 405 405
quality:lot_dispose                    302 405 405 405 405 405 405 405 405 405 405
quality:sampling_list                  302 200 200 200 200 200 200 200 404 404 404
quality:sampling_resume                302 405 405 405 405 405 405 405 405 405 405
quality:nc_list                        302 200 200 200 200 200 200 200 404 200 200
quality:nc_create                      302 200 404 404 404 200 404 200 404 404 404
quality:nc_detail                      302 200 200 200 200 200 200 200 404 200 404
quality:nc_edit                        302 200 404 404 404 404 404 200 404 404 404
quality:nc_close                       302 405 405 405 405 405 405 405 405 405 405
quality:nc_cancel                      302 405 405 405 405 405 405 405 405 405 405
quality:action_open                    302 405 405 405 405 405 405 405 405 405 405
quality:action_list                    302 200 200 200 200 200 200 200 404 200 200
quality:action_detail                  302 200 200 200 200 200 200 200 404 200 404
quality:effectiveness                  302 405 405 405 405 405 405 405 405 405 405
quality:action_close                   302 405 405 405 405 405 405 405 405 405 405
quality:stage_submit                   302 405 405 405 405 405 405 405 405 405 405
quality:stage_accept                   302 405 405 405 405 405 405 405 405 405 405
quality:stage_send_back                302 405 405 405 405 405 405 405 405 405 405
quality:stage_due                      302 405 405 405 405 405 405 405 405 405 405
quality:cost_list                      302 200 200 200 200 200 200 200 404 404 404
quality:cost_create                    302 200 404 404 404 200 404 200 404 404 404
quality:cost_correct                   302 200 200 200 200 200 200 200 404 404 404
"""

# --- API operations: the status each actor gets ----------------------------------------------
# DELETE /partners/{partner_id} deletes partner C (no users, so deletable; nobody's own).
API_MATRIX = """
                                            anon adm cmp fin mgt mfg out qua mch prt oth
GET /me                                      401 200 200 200 200 200 200 200 200 200 200
GET /partners                                401 200 200 200 200 200 200 200 200 200 200
POST /partners                               401 201 403 403 403 403 201 403 403 403 403
GET /partners/{partner_id}                   401 200 200 200 200 200 200 200 404 200 404
PATCH /partners/{partner_id}                 401 200 404 404 404 404 200 404 404 404 404
DELETE /partners/{partner_id}                401 204 404 404 404 404 404 404 404 404 404
POST /partners/{partner_id}/status           401 200 403 403 200 403 200 403 404 403 404
GET /partners/{partner_id}/history           401 200 200 200 200 200 200 200 404 200 404
GET /contacts                                401 200 200 200 200 200 200 200 200 200 200
POST /partners/{partner_id}/contacts         401 201 403 201 403 403 201 201 404 403 404
GET /contacts/{contact_id}                   401 200 200 200 200 200 200 200 404 200 404
PATCH /contacts/{contact_id}                 401 200 404 200 404 404 200 200 404 404 404
DELETE /contacts/{contact_id}                401 204 404 404 404 404 204 404 404 404 404
GET /certifications                          401 200 200 200 200 200 200 200 200 200 200
POST /partners/{partner_id}/certifications   401 201 403 403 403 403 201 201 404 403 404
GET /certifications/{certification_id}       401 200 200 200 200 200 200 200 404 200 404
PATCH /certifications/{certification_id}     401 200 404 404 404 404 200 200 404 404 404
DELETE /certifications/{certification_id}    401 204 404 404 404 404 204 204 404 404 404
GET /documents                               401 200 200 200 200 200 200 200 200 200 200
POST /partners/{partner_id}/documents        401 201 201 201 403 403 201 201 404 403 404
GET /documents/{document_id}                 401 200 200 200 200 200 200 200 404 200 404
PATCH /documents/{document_id}               401 200 200 404 404 404 200 200 404 404 404
DELETE /documents/{document_id}              401 204 404 404 404 404 204 404 404 404 404
GET /documents/{document_id}/download        401 200 200 200 200 200 200 200 404 200 404
GET /contracts                               401 200 200 200 200 200 200 200 200 200 200
GET /contracts/{contract_id}                 401 200 200 200 200 200 200 200 404 200 404
GET /contracts/{contract_id}/deliverables    401 200 200 200 200 200 200 200 404 200 404
GET /contracts/{contract_id}/dispute-ladder  401 200 200 200 200 200 200 200 404 200 404
GET /contracts/{contract_id}/history         401 200 200 200 200 200 200 200 404 200 404
GET /contracts/{contract_id}/raci            401 200 200 200 200 200 200 200 404 200 404
GET /contracts/{contract_id}/versions        401 200 200 200 200 200 200 200 404 200 404
GET /credit-proposals                        401 200 200 200 200 200 200 200 200 200 200
GET /measurements                            401 200 200 200 200 200 200 200 200 200 200
GET /measurements/{measurement_id}           401 200 200 200 200 200 200 200 404 200 404
GET /metrics                                 401 200 200 200 200 200 200 200 200 200 200
GET /metrics/{metric_id}                     401 200 200 200 200 200 200 200 404 404 404
GET /partners/{partner_id}/standing          401 200 200 200 200 200 200 200 404 200 404
GET /period-closes                           401 200 200 200 200 200 200 200 200 200 200
GET /period-closes/{close_id}                401 200 200 200 200 200 200 200 404 404 404
GET /period-closes/{close_id}/results        401 200 200 200 200 200 200 200 404 404 404
GET /results/{result_id}/explanation         401 200 200 200 200 200 200 200 404 404 404
GET /scorecard-policies                      401 200 200 200 200 200 200 200 200 200 200
GET /scores                                  401 200 200 200 200 200 200 200 200 200 200
GET /scores/{score_id}/explanation           401 200 200 200 200 200 200 200 404 200 404
GET /service-levels                          401 200 200 200 200 200 200 200 200 200 200
GET /service-levels/{level_id}               401 200 200 200 200 200 200 200 404 200 404
PATCH /contracts/{contract_id}               401 200 404 404 404 404 200 404 404 404 404
PATCH /metrics/{metric_id}                   401 200 404 404 200 404 404 404 404 404 404
POST /contracts                              401 201 403 403 403 403 201 403 422 403 422
POST /contracts/{contract_id}/amendments     401 201 404 404 404 404 201 404 404 404 404
POST /contracts/{contract_id}/deliverables   401 201 403 403 403 403 201 403 404 403 404
POST /contracts/{contract_id}/service-levels 401 201 403 403 403 403 201 403 404 422 404
POST /contracts/{contract_id}/status         401 200 403 403 403 403 200 403 404 403 404
POST /deliverables/{deliverable_id}/actions  401 200 404 404 404 404 200 404 404 404 404
POST /exclusions/{exclusion_id}/decision     401 403 403 200 200 403 403 403 404 404 404
POST /measurements                           401 201 403 403 403 403 201 201 422 422 422
POST /measurements/batch                     401 201 403 403 403 403 201 201 403 403 403
POST /measurements/{measurement_id}/corrections 401 409 404 404 404 404 409 409 404 404 404
POST /metrics                                401 201 403 403 201 403 403 403 403 403 403
POST /period-closes                          401 201 403 201 201 403 403 403 403 403 403
POST /period-closes/{period}/reopen          401 200 403 200 200 403 403 403 403 403 403
POST /scorecard-policies                     401 201 403 403 201 403 403 403 403 403 403
POST /service-levels/{level_id}/exclusions   401 201 403 403 403 403 201 403 404 403 404
POST /service-levels/{level_id}/terms        401 201 403 403 403 403 201 403 404 403 404
GET /purchase-orders                                  401 200 200 200 200 200 200 200 200 200 200
POST /purchase-orders                                 401 201 403 403 403 403 201 403 403 403 403
GET /purchase-orders/{order_id}                       401 200 200 200 200 200 200 200 404 200 404
POST /purchase-orders/{order_id}/status               401 200 403 403 403 403 200 403 404 403 404
GET /goods-receipts                                   401 200 200 200 200 200 200 200 200 200 200
POST /goods-receipts                                  401 201 403 403 403 403 201 403 403 403 403
GET /goods-receipts/{receipt_id}                      401 200 200 200 200 200 200 200 404 200 404
POST /goods-receipt-lines/{line_id}/inspection        401 200 403 403 403 403 403 200 404 403 404
GET /supplier-invoices                                401 200 200 200 200 200 200 200 200 200 200
POST /supplier-invoices                               401 201 403 201 403 403 403 403 403 403 403
GET /supplier-invoices/{invoice_id}                   401 200 200 200 200 200 200 200 404 200 404
GET /supplier-invoices/{invoice_id}/payment-status    401 200 200 200 200 200 200 200 404 404 404
POST /supplier-invoices/{invoice_id}/release          401 409 403 409 403 403 403 403 404 403 404
POST /supplier-invoices/{invoice_id}/reject           401 200 403 200 403 403 403 403 404 403 404
POST /supplier-invoices/{invoice_id}/match            401 200 403 200 403 403 403 403 404 403 404
GET /supplier-invoices/{invoice_id}/review            401 200 200 200 200 200 200 200 404 404 404
POST /supplier-invoices/{invoice_id}/review/rerun     401 200 403 200 403 403 403 403 404 404 404
GET /supplier-invoices/{invoice_id}/deductions        401 200 200 200 200 200 200 200 404 404 404
GET /supplier-invoices/{invoice_id}/credit-proposals  401 200 200 200 200 200 200 200 404 404 404
POST /supplier-invoices/{invoice_id}/deductions       401 201 403 201 403 403 403 403 404 404 404
POST /review-checks/{check_id}/answer                 401 200 403 200 403 403 403 403 404 404 404
POST /review-checks/{check_id}/confirm-second         401 200 403 200 403 403 403 403 404 404 404
GET /match-exceptions                                 401 200 200 200 200 200 200 200 200 200 200
GET /match-exceptions/{exception_id}                  401 200 200 200 200 200 200 200 404 404 404
POST /match-exceptions/{exception_id}/assign          401 200 403 200 403 403 200 403 404 404 404
POST /match-exceptions/{exception_id}/resolve         401 200 403 200 403 403 200 403 404 404 404
POST /match-exceptions/{exception_id}/approve         401 403 403 200 200 403 403 403 404 404 404
POST /match-exceptions/{exception_id}/credit-note     401 200 403 200 403 403 200 403 404 404 404
GET /match-runs                                       401 200 200 200 200 200 200 200 200 200 200
GET /reconciliations                                  401 200 200 200 200 200 200 200 200 200 200
POST /reconciliations                                 401 201 403 201 403 403 403 403 403 403 403
GET /reconciliations/{reconciliation_id}              401 200 200 200 200 200 200 200 404 404 404
GET /reconciliations/{reconciliation_id}/export.xlsx  401 200 200 200 200 200 200 200 404 404 404
GET /tolerance-profiles                               401 200 200 200 200 200 200 200 200 200 200
POST /tolerance-profiles                              401 201 403 201 403 403 403 403 422 422 422
GET /tolerance-profiles/{profile_id}                  401 200 200 200 200 200 200 200 404 404 404
PATCH /tolerance-profiles/{profile_id}                401 200 404 200 404 404 404 404 404 404 404
DELETE /tolerance-profiles/{profile_id}               401 204 404 204 404 404 404 404 404 404 404
GET /item-categories                                  401 200 200 200 200 200 200 200 200 200 200
POST /item-categories                                 401 201 403 201 403 403 403 403 403 403 403
POST /document-imports                                401 201 403 201 403 403 403 403 403 403 403
DELETE /quality/audit-evidence/{evidence_id}                401 204 403 403 403 403 403 204 404 403 404
DELETE /quality/audit-questions/{question_id}               401 204 404 404 404 404 404 204 404 404 404
DELETE /quality/audit-sections/{section_id}                 401 204 404 404 404 404 404 204 404 404 404
DELETE /quality/inspection-parameters/{parameter_id}        401 204 404 404 404 404 404 204 404 404 404
GET /quality/audit-evidence/{evidence_id}/file              401 200 200 200 200 200 200 200 404 200 404
GET /quality/audit-schedules                                401 200 200 200 200 200 200 200 200 200 200
GET /quality/audit-schedules/{schedule_id}                  401 200 200 200 200 200 200 200 404 404 404
GET /quality/audit-templates                                401 200 200 200 200 200 200 200 200 200 200
GET /quality/audit-templates/{template_id}                  401 200 200 200 200 200 200 200 404 404 404
GET /quality/audits                                         401 200 200 200 200 200 200 200 200 200 200
GET /quality/audits/{audit_id}                              401 200 200 200 200 200 200 200 404 200 404
GET /quality/corrective-actions                             401 200 200 200 200 200 200 200 200 200 200
GET /quality/corrective-actions/{action_id}                 401 200 200 200 200 200 200 200 404 200 404
GET /quality/cost-events                                    401 200 200 200 200 200 200 200 200 200 200
GET /quality/cost-events/{cost_event_id}                    401 200 200 200 200 200 200 200 404 404 404
GET /quality/defect-types                                   401 200 200 200 200 200 200 200 200 200 200
GET /quality/inspection-standards                           401 200 200 200 200 200 200 200 200 200 200
GET /quality/inspection-standards/{standard_id}             401 200 200 200 200 200 200 200 404 404 404
GET /quality/lots                                           401 200 200 200 200 200 200 200 200 200 200
GET /quality/lots/{lot_id}                                  401 200 200 200 200 200 200 200 404 200 404
GET /quality/nonconformances                                401 200 200 200 200 200 200 200 200 200 200
GET /quality/nonconformances/{nc_id}                        401 200 200 200 200 200 200 200 404 200 404
GET /quality/receipt-lines-to-inspect                       401 200 200 200 200 200 200 200 200 200 200
GET /quality/sampling-states                                401 200 200 200 200 200 200 200 200 200 200
PATCH /quality/audit-questions/{question_id}                401 200 404 404 404 404 404 200 404 404 404
PATCH /quality/audit-schedules/{schedule_id}                401 200 404 404 404 404 404 200 404 404 404
PATCH /quality/audit-sections/{section_id}                  401 200 404 404 404 404 404 200 404 404 404
PATCH /quality/audit-templates/{template_id}                401 200 404 404 404 404 404 200 404 404 404
PATCH /quality/inspection-parameters/{parameter_id}         401 200 404 404 404 404 404 200 404 404 404
PATCH /quality/inspection-standards/{standard_id}           401 200 404 404 404 404 404 200 404 404 404
PATCH /quality/nonconformances/{nc_id}                      401 200 404 404 404 404 404 200 404 404 404
POST /quality/8d-stages/{stage_id}/accept                   401 200 403 403 403 403 403 200 404 403 404
POST /quality/8d-stages/{stage_id}/due                      401 200 403 403 403 403 403 200 404 403 404
POST /quality/8d-stages/{stage_id}/send-back                401 200 403 403 403 403 403 200 404 403 404
POST /quality/8d-stages/{stage_id}/submit                   401 200 403 403 403 403 403 200 404 200 404
POST /quality/audit-schedules                               401 201 403 403 403 403 403 201 422 422 422
POST /quality/audit-sections/{section_id}/questions         401 201 403 403 403 403 403 201 404 404 404
POST /quality/audit-templates                               401 201 403 403 403 403 403 201 403 403 403
POST /quality/audit-templates/{template_id}/sections        401 201 403 403 403 403 403 201 404 404 404
POST /quality/audits                                        401 201 403 403 403 403 403 201 422 422 422
POST /quality/audits/{audit_id}/cancel                      401 200 403 403 403 403 403 200 404 403 404
POST /quality/audits/{audit_id}/close                       401 200 403 403 403 403 403 200 404 403 404
POST /quality/audits/{audit_id}/evidence                    401 201 403 403 403 403 403 201 404 403 404
POST /quality/audits/{audit_id}/start                       401 200 403 403 403 403 403 200 404 403 404
POST /quality/corrective-actions/{action_id}/close          401 409 403 403 403 403 403 409 404 403 404
POST /quality/corrective-actions/{action_id}/effectiveness  401 409 403 403 403 403 403 409 404 403 404
POST /quality/cost-events                                   401 201 403 403 403 201 403 201 422 403 422
POST /quality/cost-events/{cost_event_id}/correct           401 201 403 403 403 201 403 201 404 404 404
POST /quality/inspection-standards                          401 201 403 403 403 403 403 201 403 403 403
POST /quality/inspection-standards/{standard_id}/parameters 401 201 403 403 403 403 403 201 404 404 404
POST /quality/lots                                          401 201 403 403 403 403 403 201 422 403 422
POST /quality/lots/{lot_id}/decide                          401 422 403 403 403 403 403 422 404 403 404
POST /quality/lots/{lot_id}/disposition                     401 200 403 403 403 403 403 200 404 403 404
POST /quality/lots/{lot_id}/readings                        401 200 403 403 403 403 403 200 404 403 404
POST /quality/lots/{lot_id}/readings/import                 401 200 403 403 403 403 403 200 404 403 404
POST /quality/nonconformances                               401 201 403 403 403 201 403 201 422 422 422
POST /quality/nonconformances/{nc_id}/cancel                401 200 403 403 403 403 403 200 404 403 404
POST /quality/nonconformances/{nc_id}/close                 401 200 403 403 403 403 403 200 404 403 404
POST /quality/nonconformances/{nc_id}/corrective-action     401 201 403 403 403 403 403 201 404 403 404
POST /quality/sampling-states/{state_id}/resume             401 200 403 403 403 403 403 200 404 404 404
PUT /quality/audit-answers/{answer_id}                      401 200 404 404 404 404 404 200 404 404 404
"""  # noqa: E501 (a row per operation, however long its path)


def parse_matrix(table: str) -> dict[str, tuple[int, ...]]:
    """Read a matrix table: a header of actor columns, then one row per page or operation."""
    header, *rows = table.strip().splitlines()
    columns = ("anon", "adm", "cmp", "fin", "mgt", "mfg", "out", "qua", "mch", "prt", "oth")
    assert tuple(header.split()) == columns
    matrix = {}
    for row in rows:
        key = row.split()[: -len(columns)]
        matrix[" ".join(key)] = tuple(int(cell) for cell in row.split()[-len(columns) :])
    return matrix


UI_EXPECTED = parse_matrix(UI_MATRIX) | parse_matrix(regrind.UI_MATRIX)
API_EXPECTED = parse_matrix(API_MATRIX) | parse_matrix(regrind.API_MATRIX)

# The bodies of the write requests: valid, so an actor who may write succeeds.
API_BODIES = {
    "POST /partners": {
        "code": "CMO-NEW",
        "legal_name": "New Ltd.",
        "kind": "other",
        "country": "CN",
    },
    "PATCH /partners/{partner_id}": {"notes": "Patched."},
    "POST /partners/{partner_id}/status": {"to_status": "suspended", "reason": "Matrix."},
    "POST /partners/{partner_id}/contacts": {"name": "New Contact", "role": "quality"},
    "PATCH /contacts/{contact_id}": {"phone": "+86 2"},
    "POST /partners/{partner_id}/certifications": {
        "standard": "iso_14001",
        "expires_on": "2030-01-01",
    },
    "PATCH /certifications/{certification_id}": {"issuer": "SGS"},
    "PATCH /documents/{document_id}": {"title": "Renamed"},
    "POST /contracts": lambda world: {
        "partner": world.partner.pk,
        "reference": "CT-NEW",
        "title": "New agreement",
        "outsourced_scope": "Trays",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
    },
    "PATCH /contracts/{contract_id}": {"title": "Renamed agreement"},
    "POST /contracts/{contract_id}/status": {"to_status": "terminated", "reason": "Matrix."},
    "POST /contracts/{contract_id}/amendments": {
        "effective_from": "2026-12-01",
        "summary": "Indexation",
        "changes": {"monthly_fee": "52000.00"},
    },
    "POST /contracts/{contract_id}/deliverables": {"name": "Pilot lot", "due_date": "2027-03-01"},
    "POST /deliverables/{deliverable_id}/actions": {
        "action": "deliver",
        "delivered_on": "2026-11-01",
    },
    "POST /metrics": {
        "code": "matrix-new",
        "name": "New metric",
        "unit": "%",
        "direction": "higher",
        "aggregation": "mean",
    },
    "PATCH /metrics/{metric_id}": {"name": "Renamed metric"},
    "POST /contracts/{contract_id}/service-levels": {
        "metric": "lot_acceptance",
        "terms": {"target": "98", "critical": False},
    },
    "POST /service-levels/{level_id}/terms": {
        "effective_from": "2026-12-01",
        "terms": {
            "target": "98",
            "credit_model": "fixed_percent",
            "fixed_percent": "5",
            "pool_allocation_percent": "100",
        },
    },
    "POST /service-levels/{level_id}/exclusions": {"period": "2026-10", "reason": "Strike"},
    "POST /exclusions/{exclusion_id}/decision": {"approve": True},
    "POST /measurements": lambda world: {
        "contract": world.objects.contract.pk,
        "metric": "matrix-otd",
        "measured_on": "2026-10-31",
        "numerator": "95",
        "denominator": "100",
    },
    "POST /measurements/batch": lambda world: {
        "rows": [
            {
                "contract": world.objects.contract.pk,
                "metric": "matrix-otd",
                "measured_on": "2026-10-30",
                "numerator": "96",
                "denominator": "100",
            }
        ]
    },
    "POST /measurements/{measurement_id}/corrections": {
        "reason": "Recount",
        "numerator": "91",
        "denominator": "100",
    },
    "POST /period-closes": {"period": "2026-10"},
    "POST /period-closes/{period}/reopen": {"reason": "Matrix."},
    "POST /scorecard-policies": {
        "name": "Matrix 2",
        "effective_from": "2026-12-01",
        "criteria": [{"metric": "matrix-otd", "weight": "100", "worst": "80", "best": "100"}],
        "bands": [{"name": "All", "lower": "0", "upper": "100"}],
    },
    # --- finance ---
    "POST /purchase-orders": lambda world: {
        "partner": world.partner.pk,
        "number": "PO-NEW",
        "order_date": "2026-11-02",
        "currency": "CNY",
        "lines": [{"item": "TRAY-X", "quantity": "10", "unit_price": "1.5"}],
    },
    "POST /purchase-orders/{order_id}/status": {"status": "closed"},
    "POST /goods-receipts": lambda world: {
        "partner": world.partner.pk,
        "number": "DN-NEW",
        "received_on": "2026-11-02",
        "lines": [{"order": "PO-VICTIM", "order_line": 2, "quantity_received": "5"}],
    },
    "POST /goods-receipt-lines/{line_id}/inspection": {"accepted": "990", "rejected": "10"},
    "POST /supplier-invoices": lambda world: {
        "partner": world.partner.pk,
        "number": "INV-NEW",
        "invoice_date": "2026-11-02",
        "due_date": "2026-12-02",
        "currency": "CNY",
        "net_total": "6.00",
        "tax_total": "0.78",
        "gross_total": "6.78",
        "lines": [
            {
                "order": "PO-VICTIM",
                "order_line": 2,
                "quantity": "5",
                "unit_price": "1.2",
                "amount": "6.00",
                "tax_rate": "13",
                "tax_amount": "0.78",
            }
        ],
    },
    "POST /supplier-invoices/{invoice_id}/release": {},
    "POST /supplier-invoices/{invoice_id}/reject": {"reason": "Matrix."},
    "POST /supplier-invoices/{invoice_id}/match": {},
    "POST /supplier-invoices/{invoice_id}/review/rerun": {},
    "POST /supplier-invoices/{invoice_id}/deductions": lambda world: {
        "proposal_id": world.objects.proposal.pk
    },
    "POST /review-checks/{check_id}/answer": {"outcome": "passed", "note": "Called them."},
    "POST /review-checks/{check_id}/confirm-second": {"note": "Confirmed by phone."},
    "POST /match-exceptions/{exception_id}/assign": lambda world: {
        "owner": world.users["finance"].pk,
        "reason_code": "supplier_error",
    },
    "POST /match-exceptions/{exception_id}/resolve": {
        "resolution": "accepted",
        "justification": "Matrix.",
    },
    "POST /match-exceptions/{exception_id}/approve": {"approve": True},
    "POST /match-exceptions/{exception_id}/credit-note": lambda world: {
        "credit_note_id": world.objects.credit_note.pk
    },
    "POST /reconciliations": {"week": "2026-W46"},
    "POST /tolerance-profiles": lambda world: {
        "name": "Matrix resin",
        "category": world.objects.category.pk,
        "price_percent": "1",
    },
    "PATCH /tolerance-profiles/{profile_id}": {"price_percent": "4"},
    "POST /item-categories": {"code": "MATRIX", "name": "Matrix"},
    # --- quality ---
    "POST /quality/audit-templates": {"code": "MATRIX-TPL", "name": "Matrix audit"},
    "PATCH /quality/audit-templates/{template_id}": {"name": "Renamed audit"},
    "POST /quality/audit-templates/{template_id}/sections": {"title": "Store"},
    "PATCH /quality/audit-sections/{section_id}": {"title": "Renamed section"},
    "POST /quality/audit-sections/{section_id}/questions": {"text": "Labelled?"},
    "PATCH /quality/audit-questions/{question_id}": {"weight": "2"},
    "POST /quality/audit-schedules": lambda world: {
        "partner": world.partner.pk,
        "template": AuditTemplate.objects.get(code="ONSITE").pk,
        "frequency": "quarterly",
        "next_due": "2027-01-15",
        "lead_days": 7,
    },
    "PATCH /quality/audit-schedules/{schedule_id}": {"lead_days": 21},
    "POST /quality/audits": lambda world: {
        "partner": world.partner.pk,
        "template": world.objects.template.pk,
        "planned_date": "2026-12-01",
    },
    "POST /quality/audits/{audit_id}/start": {},
    "PUT /quality/audit-answers/{answer_id}": {"yes": True},
    "POST /quality/audits/{audit_id}/close": {"summary": "Matrix."},
    "POST /quality/audits/{audit_id}/cancel": {"reason": "Matrix."},
    "POST /quality/inspection-standards": {
        "code": "MATRIX-STD",
        "name": "Matrix",
        "item": "MATRIX-ITEM",
        "aql": "1.0",
    },
    "PATCH /quality/inspection-standards/{standard_id}": {"aql": "2.5"},
    "POST /quality/inspection-standards/{standard_id}/parameters": {
        "code": "mfi",
        "name": "Melt flow index",
        "upper_limit": "14",
    },
    "PATCH /quality/inspection-parameters/{parameter_id}": {"upper_limit": "0.6"},
    "POST /quality/lots": lambda world: {"receipt_line": world.objects.q_line.pk},
    "POST /quality/lots/{lot_id}/readings": {
        "readings": [{"unit": 1, "parameter": "moisture", "value": "0.1"}]
    },
    "POST /quality/lots/{lot_id}/decide": {},
    "POST /quality/lots/{lot_id}/disposition": {"disposition": "return_to_vendor"},
    "POST /quality/sampling-states/{state_id}/resume": {"reason": "Matrix."},
    "POST /quality/nonconformances": lambda world: {
        "partner": world.partner.pk,
        "source": "production",
        "defect_type": world.objects.nc.defect_type_id,
        "title": "Matrix defect",
        "reported_severity": "minor",
    },
    "PATCH /quality/nonconformances/{nc_id}": {"title": "Renamed defect"},
    "POST /quality/nonconformances/{nc_id}/close": {"note": "Matrix."},
    "POST /quality/nonconformances/{nc_id}/cancel": {"reason": "Matrix."},
    "POST /quality/nonconformances/{nc_id}/corrective-action": {},
    "POST /quality/corrective-actions/{action_id}/effectiveness": {
        "result": "effective",
        "note": "Matrix.",
    },
    "POST /quality/corrective-actions/{action_id}/close": {},
    "POST /quality/8d-stages/{stage_id}/submit": {"content": "Matrix."},
    "POST /quality/8d-stages/{stage_id}/accept": {"note": "Matrix."},
    "POST /quality/8d-stages/{stage_id}/send-back": {"note": "Matrix."},
    "POST /quality/8d-stages/{stage_id}/due": {
        "due_at": "2026-12-20T17:00:00+08:00",
        "reason": "Matrix.",
    },
    "POST /quality/cost-events": lambda world: {
        "kind": "quality_defect",
        "occurred_on": "2026-11-02",
        "amount": "120",
        "currency": "CNY",
        "partner": world.partner.pk,
        "description": "Matrix.",
    },
    "POST /quality/cost-events/{cost_event_id}/correct": {"amount": "200", "reason": "Matrix."},
    **regrind.API_BODIES,
}

CONFIDENTIAL_ROLES = {"administrator", "compliance", "management"}
A_MARKERS = (
    "CMO-VICTIM",
    "Victim Moulding",
    "Victim Contact",
    "VICTIM-CERT",
    "Victim Contract",
    "CT-VICTIM",
    "Victim specks",
)


@dataclass
class World:
    partner: object  # A
    own: object  # B, the other partner user's own partner
    spare: object  # C, nobody's partner
    objects: SimpleNamespace
    users: dict
    tokens: dict
    media: object = None  # the folder of the world's uploaded files


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's tests (once per xdist worker) in a transaction
    that is rolled back after the last of them; its files in a media folder of its own."""
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        world = _build_world()
        world.media = media
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db) -> World:
    """The module's world; ``db`` runs the test in a savepoint of the world's transaction,
    rolled back after it."""
    return _world


@pytest.fixture(autouse=True)
def _media_root(_world, settings):
    """Overrides the suite's fixture of that name: the world's files stay where they are."""
    settings.MEDIA_ROOT = _world.media
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _build_world() -> World:
    from partnerdesk.accounts.services import sync_roles
    from tests.factories import UserFactory

    sync_roles()
    a = PartnerFactory(code="CMO-VICTIM", legal_name="Victim Moulding Ltd.", status="active")
    b = PartnerFactory(code="CMO-OWN", legal_name="Own Plastics Ltd.", status="active")
    c = PartnerFactory(code="CMO-SPARE", status="prospect")
    roles = [role for role in ROLE_PERMISSIONS if role != "partner"]
    users = {role: UserFactory(role=role, username=role) for role in roles}
    users["partner"] = UserFactory(role="partner", partner=a, username="victim.user")
    users["other"] = UserFactory(role="partner", partner=b, username="other.user")

    department = DepartmentFactory(kind="quality", name="Quality")
    team = TeamFactory(department=department, name="Supplier quality")
    person = PersonFactory(full_name="Zhang Wei", department=department, team=team)
    admin = users["administrator"]

    def upload(partner, title, confidential=False):
        return services.document_upload(
            user=admin,
            partner=partner,
            uploaded_file=SimpleUploadedFile(f"{title}.pdf", PDF),
            data={"document_type": "contract", "title": title, "confidential": confidential},
        )

    objects = SimpleNamespace(
        contact=PartnerContactFactory(partner=a, name="Victim Contact"),
        owner=InternalOwnerFactory(partner=a, person=person, role="relationship"),
        certification=CertificationFactory(partner=a, certificate_number="VICTIM-CERT"),
        document=upload(a, "Victim Contract"),
        confidential=upload(a, "Victim Bank Letter", confidential=True),
        own_contact=PartnerContactFactory(partner=b, name="Own Contact"),
        own_certification=CertificationFactory(partner=b, certificate_number="OWN-CERT"),
        own_document=upload(b, "Own Contract"),
        person=person,
        department=department,
        team=team,
    )
    _contract_world(objects, a, admin)
    _finance_world(objects, a, admin)
    _quality_world(objects, a, admin)
    _own_quality_world(objects, b, admin)
    regrind.build(objects, users)
    tokens = {actor: api_token_create(user=u, name="matrix")[1] for actor, u in users.items()}
    return World(a, b, c, objects, users, tokens)


def _contract_world(objects, partner, admin) -> None:
    """Partner A's contract with a service level, a breach closed into a credit, a score."""
    contract = contract_create(
        user=admin,
        partner=partner,
        data={
            "reference": "CT-VICTIM",
            "title": "Victim Supply Agreement",
            "outsourced_scope": "Housings",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "monthly_fee": Decimal("50000.00"),
        },
    )
    contract_change_status(user=admin, contract=contract, to_status="active", reason="Signed")
    metric = Metric.objects.create(
        code="matrix-otd", name="Matrix OTD", unit="%", direction="higher", aggregation="ratio"
    )
    level = service_level_create(
        user=admin,
        contract=contract,
        metric=metric,
        name="OTD",
        terms={
            "target": Decimal("99"),
            "critical": True,
            "credit_model": "fixed_percent",
            "fixed_percent": Decimal("5"),
            "pool_allocation_percent": Decimal("100"),
        },
    )
    objects.measurement = measurement_record(
        user=admin,
        contract=contract,
        metric=metric,
        measured_on=datetime.date(2026, 9, 30),
        numerator=Decimal(90),
        denominator=Decimal(100),
    )
    policy_create(
        user=admin,
        name="Matrix",
        effective_from=datetime.date(2026, 1, 1),
        decay=Decimal("0.8"),
        window=6,
        criteria=[{"metric": "matrix-otd", "weight": 100, "worst": 80, "best": 100}],
        bands=[
            {"name": "Good", "lower": 60, "upper": 100, "action": "none"},
            {"name": "Poor", "lower": 0, "upper": 60, "action": "warn"},
        ],
    )
    objects.close = close_month(
        actor=admin, period=datetime.date(2026, 9, 1), today=datetime.date(2026, 11, 21)
    )
    objects.result = objects.close.results.get()
    objects.proposal = CreditProposal.objects.get(contract=contract)
    objects.score = PartnerScore.objects.get(partner=partner)
    objects.exclusion = exclusion_request(
        user=admin, service_level=level, period=datetime.date(2026, 10, 1), reason="Flood"
    )
    objects.contract, objects.metric, objects.level = contract, metric, level
    objects.deliverable = DeliverableFactory(contract=contract, name="Victim milestone")


def _finance_world(objects, partner, admin) -> None:
    """Partner A's purchasing documents for the finance API rows: an order with its receipt;
    an invoice 0.10 over the order price whose bank account changed since the partner's
    previous invoice (a review check that needs a second reviewer); its exceptions (one open,
    one accepted above the approval threshold by the administrator, one waiting for a credit
    note) and the credit note; a reconciled week; a tolerance profile of A."""
    from partnerdesk.finance.models import MatchException, ReviewCheck
    from partnerdesk.finance.services import documents, exceptions, profiles
    from partnerdesk.finance.services.reconciliation import reconcile_week
    from tests.factories import MatchExceptionFactory, SupplierInvoiceFactory

    day = datetime.date(2026, 10, 5)
    objects.category = profiles.category_create(
        user=admin, data={"code": "VICTIM-RESIN", "name": "Resin"}
    )
    objects.order = documents.purchase_order_create(
        user=admin,
        data={
            "partner": partner.pk,
            "number": "PO-VICTIM",
            "order_date": day,
            "currency": "CNY",
            "lines": [
                {"item": "HOUSING-A", "quantity": "1000", "unit_price": "2.5"},
                {"item": "COVER-B", "quantity": "500", "unit_price": "1.2"},
            ],
        },
    )
    objects.receipt = documents.receipt_create(
        user=admin,
        data={
            "partner": partner.pk,
            "number": "DN-VICTIM",
            "received_on": day + datetime.timedelta(days=3),
            "lines": [{"order": "PO-VICTIM", "order_line": 1, "quantity_received": "1000"}],
        },
    )
    objects.receipt_line = objects.receipt.lines.get()
    SupplierInvoiceFactory(
        partner=partner, number="INV-VICTIM-0", invoice_date=day, bank_account="6222 9999"
    )
    objects.invoice = documents.invoice_create(
        user=admin,
        data={
            "partner": partner.pk,
            "number": "INV-VICTIM",
            "invoice_date": day + datetime.timedelta(days=5),
            "due_date": day + datetime.timedelta(days=35),
            "currency": "CNY",
            "net_total": "2600.00",
            "tax_total": "338.00",
            "gross_total": "2938.00",
            "bank_account": "6222 0000 1111",
            "lines": [
                {
                    "order": "PO-VICTIM",
                    "order_line": 1,
                    "quantity": "1000",
                    "unit_price": "2.6",
                    "amount": "2600.00",
                    "tax_rate": "13",
                    "tax_amount": "338.00",
                }
            ],
        },
    )
    objects.check = ReviewCheck.objects.get(
        review__invoice=objects.invoice, item__auto_check="bank_account"
    )
    assert objects.check.needs_second
    objects.exception = MatchException.objects.get(invoice=objects.invoice, type="price_variance")
    objects.approval = exceptions.exception_resolve(
        user=admin,
        exception=MatchExceptionFactory(
            invoice=objects.invoice, type="over_billing", amount_at_stake=Decimal("9000.00")
        ),
        resolution="accepted",
        justification="Agreed surcharge.",
    )
    assert objects.approval.status == "approval"
    objects.credit = exceptions.exception_resolve(
        user=admin,
        exception=MatchExceptionFactory(invoice=objects.invoice, type="tax_mismatch"),
        resolution="credit_note",
        justification="Wrong tax rate.",
    )
    objects.credit_note = SupplierInvoiceFactory(
        partner=partner, kind="credit_note", number="CN-VICTIM", gross_total=Decimal("100.00")
    )
    objects.reconciliation = reconcile_week(week="2026-W41", actor=admin)
    objects.profile = profiles.profile_create(
        user=admin, data={"name": "Victim", "partner": partner, "price_percent": Decimal("3")}
    )


def _quality_world(objects, partner, admin) -> None:
    """Partner A's quality records: a template (section, questions), a schedule, a planned
    audit and a fully answered one (evidence), a standard with a parameter, an open lot and a
    rejected one (its NC), a discontinued sampling state, a nonconformance without action and
    one with an 8D whose D0 is submitted, a cost event."""
    from partnerdesk.finance.services import documents
    from partnerdesk.quality.models import DefectType, SamplingState
    from partnerdesk.quality.services import audits, costs, inspection, nonconformance

    day = datetime.date(2026, 10, 5)
    t = audits.template_create(user=admin, data={"code": "VICTIM-TPL", "name": "Victim audit"})
    section = audits.section_add(user=admin, template=t, data={"title": "Plant"})
    question = audits.question_add(user=admin, section=section, data={"text": "Calibrated?"})
    spare_section = audits.section_add(user=admin, template=t, data={"title": "Spare"})
    objects.template, objects.section, objects.question = t, spare_section, question
    objects.schedule = audits.schedule_create(
        user=admin,
        data={"partner": partner, "template": t, "frequency": "monthly", "next_due": day},
    )
    objects.audit = audits.audit_plan(
        user=admin, partner=partner, template=t, planned_date=datetime.date(2026, 11, 25)
    )
    objects.answer = objects.audit.answers.get()
    ready = audits.audit_plan(
        user=admin, partner=partner, template=t, planned_date=datetime.date(2026, 11, 26)
    )
    audits.answer_record(user=admin, answer=ready.answers.get(), data={"yes": True})
    objects.ready_audit = ready
    objects.evidence = audits.evidence_add(
        user=admin, audit=ready, uploaded_file=SimpleUploadedFile("photo.pdf", PDF)
    )
    standard = inspection.standard_create(
        user=admin,
        data={"code": "VICTIM-STD", "name": "Regrind", "item": "REGRIND-V", "aql": "6.5"},
    )
    objects.standard = standard
    objects.parameter = inspection.parameter_add(
        user=admin,
        standard=standard,
        data={"code": "moisture", "name": "Moisture", "upper_limit": Decimal("0.5")},
    )
    documents.purchase_order_create(
        user=admin,
        data={
            "partner": partner.pk,
            "number": "PO-VICTIM-Q",
            "order_date": day,
            "currency": "CNY",
            "lines": [{"item": "REGRIND-V", "quantity": "8", "unit_price": "10"} for _ in range(3)],
        },
    )
    receipt = documents.receipt_create(
        user=admin,
        data={
            "partner": partner.pk,
            "number": "DN-VICTIM-Q",
            "received_on": day,
            "lines": [
                {"order": "PO-VICTIM-Q", "order_line": n, "quantity_received": "8"}
                for n in (1, 2, 3)
            ],
        },
    )
    objects.q_line = receipt.lines.get(line_no=3)  # not inspected yet
    objects.lot = inspection.lot_open(user=admin, receipt_line=receipt.lines.get(line_no=1))
    rejected = inspection.lot_open(user=admin, receipt_line=receipt.lines.get(line_no=2))
    objects.rejected_lot = inspection.readings_record(
        user=admin,
        inspection=rejected,
        rows=[
            inspection.ReadingRow(1, "moisture", "0.2"),
            inspection.ReadingRow(2, "moisture", "3"),
        ],
    )
    objects.spare_parameter = inspection.parameter_add(
        user=admin,
        standard=standard,
        data={"code": "fines", "name": "Fines", "upper_limit": Decimal("2")},
    )
    stopped = inspection.standard_create(
        user=admin,
        data={"code": "VICTIM-STOP", "name": "Stopped", "item": "STOPPED-V", "aql": "1.0"},
    )
    objects.sampling_state = SamplingState.objects.create(
        partner=partner, standard=stopped, severity="discontinued", reason="5 lots rejected"
    )
    contamination = DefectType.objects.get(code="CONTAMINATION")

    def complaint(reference):
        return nonconformance.nc_create(
            user=admin,
            data={
                "partner": partner,
                "source": "customer_complaint",
                "customer_reference": reference,
                "defect_type": contamination,
                "title": "Victim specks",
                "reported_severity": "minor",
                "detected_on": day,
            },
        )

    objects.nc = complaint("CC-VICTIM-1")
    action = nonconformance.action_open(user=admin, nc=complaint("CC-VICTIM-2"))
    objects.action = action
    objects.stages = {s.stage: s for s in action.stages.all()}
    nonconformance.stage_submit(user=admin, stage=objects.stages[0], content="Team formed")
    objects.cost = costs.cost_record(
        user=admin,
        data={
            "kind": "material_loss",
            "occurred_on": day,
            "amount": Decimal("250"),
            "currency": "CNY",
            "partner": partner,
            "description": "Purged regrind",
        },
    )


def _own_quality_world(objects, own, admin) -> None:
    """Partner B's own nonconformance and audit, which A's user must never see."""
    from partnerdesk.quality.models import DefectType
    from partnerdesk.quality.services import audits, nonconformance

    objects.own_nc = nonconformance.nc_create(
        user=admin,
        data={
            "partner": own,
            "source": "production",
            "defect_type": DefectType.objects.get(code="CONTAMINATION"),
            "title": "Own flash",
            "reported_severity": "minor",
            "detected_on": datetime.date(2026, 10, 6),
        },
    )
    objects.own_audit = audits.audit_plan(
        user=admin,
        partner=own,
        template=AuditTemplate.objects.get(code="ONSITE"),
        planned_date=datetime.date(2026, 11, 27),
    )


def quality_ids(o, key: str) -> dict:
    stage = {
        "POST /quality/8d-stages/{stage_id}/submit": o.stages[1],
        "POST /quality/8d-stages/{stage_id}/due": o.stages[2],
    }.get(key, o.stages[0])
    return {
        "template_id": o.template.pk,
        "section_id": o.section.pk,
        "question_id": o.question.pk,
        "schedule_id": o.schedule.pk,
        "audit_id": o.ready_audit.pk if key.endswith("/close") else o.audit.pk,
        "answer_id": o.answer.pk,
        "evidence_id": o.evidence.pk,
        "standard_id": o.standard.pk,
        "parameter_id": o.spare_parameter.pk if key.startswith("DELETE") else o.parameter.pk,
        "lot_id": o.rejected_lot.pk if key.endswith("/disposition") else o.lot.pk,
        "state_id": o.sampling_state.pk,
        "nc_id": o.nc.pk,
        "action_id": o.action.pk,
        "stage_id": stage.pk,
        "cost_event_id": o.cost.pk,
    }


def mismatches(result: dict, expected_row: tuple) -> dict:
    """The actors whose status differs from the matrix row, to read in a failure."""
    return {
        actor: f"got {result[actor]}, expected {expected}"
        for actor, expected in zip(ACTORS, expected_row, strict=True)
        if result[actor] != expected
    }


def undone(call):
    """Run ``call`` in a savepoint that is rolled back; return what it returned."""
    result = {}
    try:
        with transaction.atomic():
            result["value"] = call()
            raise _Undo
    except _Undo:
        pass
    return result["value"]


class _Undo(Exception):
    pass


def test_the_matrix_has_a_column_per_role():
    roles_in_columns = set(SIGNED_IN) - {"other"}
    assert roles_in_columns == set(ROLE_PERMISSIONS)


# --- UI --------------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern


def ui_pages() -> dict[str, tuple[str, list[str], str | None]]:
    """Every page of the UI: key -> (url name, argument names, kind)."""
    pages = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue  # the API's operations are walked from its schema below
        args = list(getattr(pattern.pattern, "converters", {}))
        for kind in KINDS if "kind" in args else [None]:
            pages[f"{name}[{kind}]" if kind else name] = (name, args, kind)
    return pages


def ui_url(world: World, name: str, args: list[str], kind: str | None) -> str:
    pk_of = {
        "accounts:token_revoke": lambda: world.users["administrator"].api_tokens.get().pk,
        "accounts:user_edit": lambda: world.users["finance"].pk,
        "organisation:person": lambda: world.objects.person.pk,
        "organisation:person_edit": lambda: world.objects.person.pk,
        "organisation:department_edit": lambda: world.objects.department.pk,
        "organisation:team_edit": lambda: world.objects.team.pk,
        "partners:document_download": lambda: world.objects.document.pk,
        "partners:document_delete": lambda: world.objects.document.pk,
        "partners:child_edit": lambda: getattr(world.objects, kind).pk,
        "partners:child_delete": lambda: getattr(world.objects, kind).pk,
        "contracts:deliverable_edit": lambda: world.objects.deliverable.pk,
        "contracts:deliverable_record": lambda: world.objects.deliverable.pk,
        "performance:metric_update": lambda: world.objects.metric.pk,
        "performance:service_level": lambda: world.objects.level.pk,
        "performance:terms_add_version": lambda: world.objects.level.pk,
        "performance:exclusion_request": lambda: world.objects.level.pk,
        "performance:exclusion_decide": lambda: world.objects.exclusion.pk,
        "performance:measurement_correct": lambda: world.objects.measurement.pk,
        "performance:close": lambda: world.objects.close.pk,
        "performance:explain_result": lambda: world.objects.result.pk,
        "performance:explain_score": lambda: world.objects.score.pk,
        "finance:order": lambda: world.objects.order.pk,
        "finance:receipt": lambda: world.objects.receipt.pk,
        "finance:invoice": lambda: world.objects.invoice.pk,
        "finance:exception": lambda: world.objects.exception.pk,
        "finance:reconciliation": lambda: world.objects.reconciliation.pk,
        "finance:reconciliation_export": lambda: world.objects.reconciliation.pk,
        "finance:profile_edit": lambda: world.objects.profile.pk,
        "finance:profile_delete": lambda: world.objects.profile.pk,
    }
    for name_ in (
        "detail",
        "edit",
        "amend",
        "status",
        "raci",
        "disputes",
        "attachment_add",
        "deliverable_create",
    ):
        pk_of[f"contracts:{name_}"] = lambda: world.objects.contract.pk
    for name_ in ("contract_service_levels", "service_level_create"):
        pk_of[f"performance:{name_}"] = lambda: world.objects.contract.pk
    quality_object = {
        "audit": "audit_detail audit_conduct audit_report audit_start audit_close audit_cancel "
        "evidence_upload",
        "answer": "answer_save answer_nc",
        "evidence": "evidence_file evidence_delete",
        "schedule": "schedule_edit",
        "template": "template_detail template_edit section_create",
        "section": "section_edit section_delete question_create",
        "question": "question_edit question_delete",
        "standard": "standard_detail standard_edit parameter_create",
        "parameter": "parameter_edit parameter_delete",
        "q_line": "lot_open",
        "lot": "lot_detail lot_readings lot_import lot_dispose",
        "sampling_state": "sampling_resume",
        "nc": "nc_detail nc_edit nc_close nc_cancel action_open",
        "action": "action_detail effectiveness action_close",
        "stage": "stage_submit stage_accept stage_send_back stage_due",
        "cost": "cost_correct",
    }
    for attribute, names in quality_object.items():
        for name_ in names.split():
            if attribute == "stage":
                pk_of[f"quality:{name_}"] = lambda: world.objects.stages[0].pk
            else:
                pk_of[f"quality:{name_}"] = lambda a=attribute: getattr(world.objects, a).pk
    pk_of.update(regrind.ui_pks(world.objects))
    kwargs = {}
    for arg in args:
        if arg == "kind":
            kwargs[arg] = kind
        elif arg == "partner_pk" or (arg == "pk" and name not in pk_of):
            kwargs[arg] = world.partner.pk
        else:
            kwargs[arg] = pk_of[name]()
    return reverse(name, kwargs=kwargs)


def test_every_page_has_a_row_in_the_matrix():
    assert sorted(ui_pages()) == sorted(UI_EXPECTED)


@pytest.mark.parametrize("key", sorted(UI_EXPECTED))
def test_ui_page_access(world, client, key):
    # Given the page, with every object in its URL belonging to partner A
    name, args, kind = ui_pages()[key]
    url = ui_url(world, name, args, kind)

    # When every actor opens it
    result = {}
    for actor in ACTORS:
        client.logout()
        if actor != "anon":
            client.force_login(world.users[actor])
        response = client.get(url)
        result[actor] = response.status_code
        if actor == "anon" and response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next="), url
        if response.status_code == 200 and actor in ("partner", "other", "machine"):
            own = {"partner": world.partner, "other": world.own}.get(actor)
            _assert_no_foreign_partner(response, own, world, url)

    # Then each gets what the matrix says
    assert mismatches(result, UI_EXPECTED[key]) == {}, url


def _assert_no_foreign_partner(response, own, world, url):
    """A partner user's page never shows another partner's records (the machine's, none)."""
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        foreign = [world.partner, world.own, world.spare]
        for partner in foreign:
            if partner != own:
                assert partner.code not in html, url
        if own != world.partner:
            for marker in A_MARKERS:
                assert marker not in html, (url, marker)


LIST_PAGES = [
    "/",
    "/contracts/",
    "/performance/measurements/",
    "/performance/scorecards/",
    "/partners/",
    "/partners/contacts/",
    "/partners/certifications/",
    "/partners/documents/",
    "/notifications/",
    "/finance/orders/",
    "/finance/receipts/",
    "/finance/invoices/",
    "/quality/",
    "/quality/audits/",
    "/quality/inspections/",
    "/quality/nonconformances/",
    "/quality/actions/",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_partner_users_see_only_their_own_partner_in_lists(world, client, url):
    # The user of B sees B's records and none of A's
    client.force_login(world.users["other"])
    html = client.get(url).content.decode()
    for marker in A_MARKERS:
        assert marker not in html, marker
    own_marker = {"/partners/": "CMO-OWN", "/quality/nonconformances/": "Own flash"}.get(url)
    if own_marker:
        assert own_marker in html

    # and the user of A sees A's records and none of B's
    client.force_login(world.users["partner"])
    html = client.get(url).content.decode()
    assert "CMO-OWN" not in html and "Own Contact" not in html and "OWN-CERT" not in html
    assert "Own flash" not in html
    expected_marker = {
        "/partners/": "CMO-VICTIM",
        "/partners/contacts/": "Victim Contact",
        "/partners/certifications/": "VICTIM-CERT",
        "/partners/documents/": "Victim Contract",
        "/quality/audits/": "CMO-VICTIM",
        "/quality/inspections/": "CMO-VICTIM",
        "/quality/nonconformances/": "Victim specks",
        "/quality/actions/": "CMO-VICTIM",
    }.get(url)
    if expected_marker:
        assert expected_marker in html


@pytest.mark.parametrize("actor", STAFF)
def test_only_who_may_record_costs_gets_the_correction_form(world, client, actor):
    # Given partner A's cost event and a staff user who may see it
    user = world.users[actor]
    client.force_login(user)

    # When they open its page
    response = client.get(reverse("quality:cost_correct", args=[world.objects.cost.pk]))

    # Then they read it, and only who may add cost events may correct it
    assert response.status_code == 200
    form_shown = 'id="correct"' in response.content.decode()
    assert form_shown is user.has_perm("quality.add_costevent"), actor


# --- API -------------------------------------------------------------------------------------


def api_operations() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in paths.items()
        for method in operations
    )


def test_every_api_operation_has_a_row_in_the_matrix():
    assert api_operations() == sorted(API_EXPECTED)


def _import_file() -> SimpleUploadedFile:
    """An invoice of partner A to import (no order reference: matched as missing PO)."""
    return SimpleUploadedFile(
        "invoices.csv",
        b"partner,invoice_number,invoice_date,due_date,currency,net_total,tax_total,"
        b"gross_total,quantity,unit_price,amount\n"
        b"CMO-VICTIM,INV-MATRIX-IMPORT,2026-10-05,2026-11-05,CNY,10.00,0,10.00,1,10,10.00\n",
    )


def api_call(world: World, key: str, actor: str):
    method, template = key.split(" ", 1)
    partner = world.spare if key == "DELETE /partners/{partner_id}" else world.partner
    o = world.objects
    ids = {
        "partner_id": partner.pk,
        "contact_id": o.contact.pk,
        "certification_id": o.certification.pk,
        "document_id": o.document.pk,
        "contract_id": o.contract.pk,
        "deliverable_id": o.deliverable.pk,
        "metric_id": o.metric.pk,
        "level_id": o.level.pk,
        "exclusion_id": o.exclusion.pk,
        "measurement_id": o.measurement.pk,
        "close_id": o.close.pk,
        "result_id": o.result.pk,
        "score_id": o.score.pk,
        "period": "2026-09",
        "order_id": o.order.pk,
        "receipt_id": o.receipt.pk,
        "line_id": o.receipt_line.pk,
        "invoice_id": o.invoice.pk,
        "check_id": o.check.pk,
        # approve: the exception the administrator accepted above the threshold
        "exception_id": {
            "POST /match-exceptions/{exception_id}/approve": o.approval.pk,
            "POST /match-exceptions/{exception_id}/credit-note": o.credit.pk,
        }.get(key, o.exception.pk),
        "reconciliation_id": o.reconciliation.pk,
        "profile_id": o.profile.pk,
        **quality_ids(o, key),
        **regrind.api_ids(o, key),
    }
    path = "/api/v1" + template.format(**ids)
    headers = {} if actor == "anon" else {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[actor]}"}
    client = Client()
    if key == "POST /partners/{partner_id}/documents":
        data = {"document_type": "contract", "file": SimpleUploadedFile("new.pdf", PDF)}
        return client.post(path, data, **headers)
    if key == "POST /document-imports":
        return client.post(path, {"kind": "invoices", "file": _import_file()}, **headers)
    if key == "POST /quality/audits/{audit_id}/evidence":
        return client.post(path, {"file": SimpleUploadedFile("photo.pdf", PDF)}, **headers)
    if key == "POST /regrind/readings/csv":
        return regrind.csv_upload(client, path, headers)
    if key == "POST /quality/lots/{lot_id}/readings/import":
        readings = SimpleUploadedFile("r.csv", b"unit,parameter,value\n1,moisture,0.1\n")
        return client.post(path, {"file": readings}, **headers)
    if method in ("POST", "PATCH", "PUT"):
        body = API_BODIES[key]
        body = json.dumps(body(world) if callable(body) else body)
        return client.generic(method, path, body, content_type="application/json", **headers)
    return client.generic(method, path, **headers)


@pytest.mark.parametrize("key", sorted(API_EXPECTED))
def test_api_operation_access(world, key):
    result = {}
    for actor in ACTORS:
        response = undone(lambda actor=actor: api_call(world, key, actor))
        result[actor] = response.status_code
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["status"] == response.status_code, (actor, error)
        if key.startswith("GET ") and response.status_code == 200 and actor in ("partner", "other"):
            _assert_api_sees_only_own(response, actor, world, key)
        if key.startswith("GET ") and response.status_code == 200 and actor == "machine":
            _assert_machine_lists_nothing_else(response, key)

    assert mismatches(result, API_EXPECTED[key]) == {}, key


# Lists where a partner user has records of their own (others may be empty for them).
OWN_LISTS = (
    "/partners",
    "/contacts",
    "/certifications",
    "/documents",
    "/quality/audits",
    "/quality/nonconformances",
)


def _assert_api_sees_only_own(response, actor, world, key):
    if response.get("Content-Type") != "application/json":
        return
    body = response.json()
    items = body["items"] if isinstance(body, dict) and "items" in body else None
    if items is None:
        return
    own = world.partner.pk if actor == "partner" else world.own.pk
    if key.removeprefix("GET ") in OWN_LISTS:
        assert items, "a partner user's list should show their own records"
    for item in items:
        if "partner_id" in item:
            assert item["partner_id"] == own, item
        elif key == "GET /partners":
            assert item["id"] == own, item
        assert "CT-VICTIM" not in json.dumps(item) or actor == "partner", item


def _assert_machine_lists_nothing_else(response, key):
    """A dosing machine's lists are empty, but for the dosing units and its own ingests
    (``test_the_machine_reads_only_its_own_ingests``)."""
    body = response.json()
    own = key in ("GET /regrind/units", "GET /regrind/ingests")
    if isinstance(body, dict) and "items" in body and not own:
        assert body["items"] == [], key


# --- confidential documents ------------------------------------------------------------------


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_confidential_documents_only_for_management_compliance_and_administrators(
    world, client, actor
):
    # Given partner A's confidential document and a user
    confidential = world.objects.confidential
    client.force_login(world.users[actor])
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[actor]}"}
    allowed = actor in CONFIDENTIAL_ROLES

    # Then lists, detail, downloads and history show it to the confidential roles only
    documents_page = client.get("/partners/documents/").content.decode()
    assert ("Victim Bank Letter" in documents_page) is allowed
    detail = client.get(f"/partners/{world.partner.pk}/")
    if detail.status_code == 200:
        assert ("Victim Bank Letter" in detail.content.decode()) is allowed
    download = client.get(f"/partners/documents/{confidential.pk}/download/")
    assert download.status_code == (200 if allowed else 404)

    api_client = Client()
    listed = api_client.get("/api/v1/documents?page_size=500", **api_headers).json()["items"]
    assert (confidential.pk in [d["id"] for d in listed]) is allowed
    one = api_client.get(f"/api/v1/documents/{confidential.pk}", **api_headers)
    assert one.status_code == (200 if allowed else 404)
    file = api_client.get(f"/api/v1/documents/{confidential.pk}/download", **api_headers)
    assert file.status_code == (200 if allowed else 404)
    if allowed:
        assert b"".join(file.streaming_content) == PDF

    log = client.get("/history/?model=partnerdocument")
    if log.status_code == 200:
        html = log.content.decode()
        assert ("Victim Bank Letter" in html) is allowed
        assert "Victim Contract" in html


def test_confidential_audit_entries_are_flagged(world):
    content_type = ContentType.objects.get_for_model(world.objects.confidential)
    entries = AuditEntry.objects.filter(content_type=content_type)

    assert set(entries.filter(confidential=True).values_list("object_id", flat=True)) == {
        str(world.objects.confidential.pk)
    }
    visible = AuditEntry.objects.restrict(world.users["outsourcing"]).filter(
        content_type=content_type
    )
    assert str(world.objects.confidential.pk) not in visible.values_list("object_id", flat=True)


# --- the dosing machine ----------------------------------------------------------------------


def test_the_machine_reads_only_its_own_ingests(world, client):
    # Given the administrator's CSV upload and the machine's own post
    mine, theirs = world.objects.regrind.ingest, world.objects.regrind.csv_ingest
    api_client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens['machine']}"}

    # Then the machine's API lists and opens its own ingest, with its refused row, and no other
    listed = api_client.get("/api/v1/regrind/ingests", **headers).json()["items"]
    assert [ingest["id"] for ingest in listed] == [mine.pk]
    own = api_client.get(f"/api/v1/regrind/ingests/{mine.pk}", **headers).json()
    assert [row["row"] for row in own["rejections"]] == [5]
    assert api_client.get(f"/api/v1/regrind/ingests/{theirs.pk}", **headers).status_code == 404

    # and so do its pages
    client.force_login(world.users["machine"])
    html = client.get("/regrind/ingests/").content.decode()
    assert reverse("regrind:ingest", args=[mine.pk]) in html
    assert reverse("regrind:ingest", args=[theirs.pk]) not in html
    assert client.get(reverse("regrind:ingest", args=[theirs.pk])).status_code == 404

    # while the people of the plant see both
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens['quality']}"}
    listed = api_client.get("/api/v1/regrind/ingests", **headers).json()["items"]
    assert {ingest["id"] for ingest in listed} == {mine.pk, theirs.pk}
