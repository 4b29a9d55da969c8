"""Public merchant application routes."""

urlpatterns: list = []
