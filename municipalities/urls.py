"""URLs of one tenant, mounted at /<municipality_slug>/ (TenantMiddleware resolves the slug)."""

from django.urls import path

from municipalities import views

app_name = "municipalities"

urlpatterns = [
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/members/", views.staff_members, name="staff-members"),
    path("staff/members/<int:membership_id>/", views.staff_member_detail, name="staff-member"),
    path("staff/privacy/access-log/", views.staff_access_log, name="staff-access-log"),
]
