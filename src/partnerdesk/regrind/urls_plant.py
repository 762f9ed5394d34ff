"""Pages of the plant set-up: lines, dosing units, products, product runs, shifts and the
roster. The line dashboard (``regrind:line``, ``lines/<pk>/``) lives with the SPC pages."""

from django.urls import path

from partnerdesk.regrind.views import plant, plant_runs

urlpatterns: list = [
    path("setup/", plant.setup, name="setup"),
    path("lines/", plant.line_list, name="lines"),
    path("lines/new/", plant.line_create, name="line_create"),
    path("lines/<int:pk>/edit/", plant.line_edit, name="line_edit"),
    path("units/", plant.unit_list, name="units"),
    path("units/new/", plant.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", plant.unit_edit, name="unit_edit"),
    path("products/", plant.product_list, name="products"),
    path("products/new/", plant.product_create, name="product_create"),
    path("products/<int:pk>/edit/", plant.product_edit, name="product_edit"),
    path("runs/", plant_runs.run_list, name="runs"),
    path("shifts/", plant.shift_list, name="shifts"),
    path("shifts/new/", plant.shift_create, name="shift_create"),
    path("shifts/<int:pk>/edit/", plant.shift_edit, name="shift_edit"),
    path("roster/", plant_runs.roster, name="roster"),
    path("roster/<int:line_pk>/generate/", plant_runs.roster_generate, name="roster_generate"),
    path(
        "roster/<int:line_pk>/assignments/new/",
        plant_runs.assignment_create,
        name="assignment_create",
    ),
    path("assignments/<int:pk>/delete/", plant_runs.assignment_delete, name="assignment_delete"),
]
