"""Pages of the regrind module: the plant set-up (``urls_plant``) and the SPC side, readings
and rankings (``urls_spc``)."""

from partnerdesk.regrind import urls_plant, urls_spc

app_name = "regrind"

urlpatterns = urls_plant.urlpatterns + urls_spc.urlpatterns
