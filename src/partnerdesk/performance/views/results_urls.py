"""URLs of period closes, results and their explanations, credit proposals and scorecards."""

from django.urls import path

from partnerdesk.performance.views import closes, policies, scorecards

urlpatterns: list = [
    path("closes/", closes.close_list, name="closes"),
    path("closes/<int:pk>/", closes.close_detail, name="close"),
    path("results/<int:pk>/explain/", closes.explain_result, name="explain_result"),
    path("proposals/", closes.proposal_list, name="proposals"),
    path("scores/<int:pk>/explain/", scorecards.explain_score, name="explain_score"),
    path("scorecards/", scorecards.scorecard_ranking, name="scorecards"),
    path("scorecards/<int:partner_pk>/", scorecards.scorecard_detail, name="scorecard"),
    path("policies/", policies.policy_list, name="policies"),
    path("policies/new/", policies.policy_create_view, name="policy_create"),
]
