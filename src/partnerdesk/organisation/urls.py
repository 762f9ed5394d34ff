from django.urls import path

from partnerdesk.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.person_list, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("departments/", views.department_list, name="departments"),
]
