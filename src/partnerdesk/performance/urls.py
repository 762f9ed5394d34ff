from partnerdesk.performance.views import levels_urls, results_urls

app_name = "performance"
urlpatterns = levels_urls.urlpatterns + results_urls.urlpatterns
