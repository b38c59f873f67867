from django.contrib import admin

from municipalities.models import Membership, Municipality, PersonalDataAccess


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """Platform operators create tenants here; everything inside a tenant is run from its staff pages."""

    list_display = ["name", "slug", "mall_name", "region_code", "is_active", "created_at"]
    list_filter = ["is_active", "settlement_period"]
    search_fields = ["name", "slug", "mall_name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence and is never edited."""

    list_display = ["accessed_at", "municipality", "accessor", "subject_label", "purpose", "ip_address"]
    list_filter = ["municipality"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
