"""URLs of the notifications app, under /<municipality-slug>/ (config.urls)."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("my/notifications/", views.my_notifications, name="my"),
    path("staff/notifications/", views.staff_messages, name="staff-messages"),
    path("staff/notifications/<int:message_id>/", views.staff_message, name="staff-message"),
]
