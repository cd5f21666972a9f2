from django.urls import path

from . import views_console as views

app_name = "health"

urlpatterns = [
    path("portfolio/", views.portfolio, name="portfolio"),
    path("kpis/", views.kpis, name="kpis"),
    path("kpis/predictive/", views.predictive, name="predictive"),
    path("scorecard/", views.scorecard, name="scorecard"),
]
