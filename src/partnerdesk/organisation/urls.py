from django.urls import path

from partnerdesk.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.person_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
]
