"""The regrind API: plant set-up (``api_plant``), readings, charts, signals and rankings
(``api_spc``)."""

from ninja import Router

from partnerdesk.regrind.api_plant import router as plant_router
from partnerdesk.regrind.api_spc import router as spc_router

router = Router(tags=["regrind"])
router.add_router("", plant_router)
router.add_router("", spc_router)
