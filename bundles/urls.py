"""Catalog URLs of one tenant, mounted at /<municipality_slug>/ (TenantMiddleware resolves the slug)."""

from django.urls import path

from bundles.views import composer, merchant_portal, staff_catalog, storefront

app_name = "bundles"

urlpatterns = [
    # Storefront (public)
    path("", storefront.home, name="storefront"),
    path("bundles/<str:bundle_slug>/", storefront.bundle_detail, name="detail"),
    path("merchants/<int:merchant_id>/", storefront.merchant_detail, name="merchant"),
    # Staff curation
    path("staff/merchants/", staff_catalog.merchant_list, name="staff-merchants"),
    path("staff/merchants/new/", staff_catalog.merchant_create, name="staff-merchant-create"),
    path("staff/merchants/<int:merchant_id>/", staff_catalog.merchant_edit, name="staff-merchant"),
    path(
        "staff/merchants/<int:merchant_id>/products/import/", staff_catalog.product_import, name="staff-product-import"
    ),
    path(
        "staff/merchants/<int:merchant_id>/products/export/", staff_catalog.product_export, name="staff-product-export"
    ),
    path("staff/products/", staff_catalog.product_list, name="staff-products"),
    path("staff/products/new/", staff_catalog.product_create, name="staff-product-create"),
    path("staff/products/<int:product_id>/", staff_catalog.product_edit, name="staff-product"),
    path("staff/bundles/", composer.bundle_list, name="staff-bundles"),
    path("staff/bundles/new/", composer.bundle_create, name="staff-bundle-create"),
    path("staff/bundles/<int:bundle_id>/", composer.bundle_composer, name="staff-bundle"),
    path("staff/bundles/<int:bundle_id>/search/", composer.bundle_product_search, name="staff-bundle-search"),
    path("staff/bundles/<int:bundle_id>/items/", composer.bundle_item_set, name="staff-bundle-items"),
    path("staff/bundles/<int:bundle_id>/plans/", composer.bundle_plan_set, name="staff-bundle-plans"),
    path("staff/bundles/<int:bundle_id>/images/", composer.bundle_images, name="staff-bundle-images"),
    path("staff/bundles/<int:bundle_id>/status/", composer.bundle_status, name="staff-bundle-status"),
    path("staff/bundles/<int:bundle_id>/duplicate/", composer.bundle_duplicate, name="staff-bundle-duplicate"),
    path("staff/plans/", staff_catalog.plan_list, name="staff-plans"),
    # Merchant portal
    path("merchant/", merchant_portal.home, name="merchant-home"),
    path("merchant/profile/", merchant_portal.profile_edit, name="merchant-profile"),
]
