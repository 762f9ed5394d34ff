"""The quality API under ``/api/v1/quality/``: the audit programme, incoming inspection,
nonconformances with their 8D corrective actions, and cost events.

Every endpoint reads through ``restrict(user, action)`` (``quality.selectors``), so a row the
user may not see is a 404, and an id in a body that names such a row is a 422 on that field;
the services check the permission again before writing (403). Partner users see their own
audits, lots, nonconformances and corrective actions, and submit their 8D stages; standards,
templates, sampling states and costs are 404 for them.
"""

from ninja import Router

from partnerdesk.quality.api_audits import router as audits_router
from partnerdesk.quality.api_inspection import router as inspection_router
from partnerdesk.quality.api_ncs import router as ncs_router

router = Router(tags=["quality"])
router.add_router("", audits_router)
router.add_router("", inspection_router)
router.add_router("", ncs_router)
