"""Pages of the document imports (upload, map columns, preview, apply)."""

urlpatterns = []
