"""URLs of period closes, results and their explanations, credit proposals and scorecards."""

urlpatterns: list = []
