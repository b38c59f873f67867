"""URLs of the settlement app, under /<municipality-slug>/ (config.urls)."""

from django.urls import path

from settlement.views import portal, staff_payouts, staff_periods

app_name = "settlement"

urlpatterns: list = [
    # Merchants and tourism partners: their own statements (settlement.views.portal)
    path("merchant/statements/", portal.merchant_statements, name="merchant-statements"),
    path("merchant/statements/<int:statement_id>/", portal.merchant_statement, name="merchant-statement"),
    path("merchant/statements/<int:statement_id>/pdf/", portal.merchant_statement_pdf, name="merchant-statement-pdf"),
    path("merchant/statements/<int:statement_id>/csv/", portal.merchant_statement_csv, name="merchant-statement-csv"),
    path("partner/statements/", portal.partner_statements, name="partner-statements"),
    path("partner/statements/<int:statement_id>/", portal.partner_statement, name="partner-statement"),
    path("partner/statements/<int:statement_id>/pdf/", portal.partner_statement_pdf, name="partner-statement-pdf"),
    path("partner/statements/<int:statement_id>/csv/", portal.partner_statement_csv, name="partner-statement-csv"),
    # Staff: periods, close, statements, reconciliation (settlement.views.staff_periods)
    path("staff/settlement/", staff_periods.period_list, name="staff-periods"),
    path("staff/settlement/periods/<int:period_id>/", staff_periods.period_detail, name="staff-period"),
    path(
        "staff/settlement/periods/<int:period_id>/request-close/",
        staff_periods.period_request_close,
        name="staff-period-request-close",
    ),
    path(
        "staff/settlement/periods/<int:period_id>/withdraw-close/",
        staff_periods.period_withdraw_close,
        name="staff-period-withdraw-close",
    ),
    path(
        "staff/settlement/periods/<int:period_id>/close/",
        staff_periods.period_confirm_close,
        name="staff-period-close",
    ),
    path(
        "staff/settlement/periods/<int:period_id>/render/",
        staff_periods.period_render_pdfs,
        name="staff-period-render",
    ),
    path(
        "staff/settlement/periods/<int:period_id>/reconciliation/",
        staff_periods.reconciliation,
        name="staff-reconciliation",
    ),
    path("staff/settlement/statements/<int:statement_id>/", staff_periods.statement_detail, name="staff-statement"),
    path(
        "staff/settlement/statements/<int:statement_id>/pdf/",
        staff_periods.statement_pdf,
        name="staff-statement-pdf",
    ),
    # Staff: payouts, maker/checker (settlement.views.staff_payouts)
    path("staff/settlement/payouts/", staff_payouts.batch_list, name="staff-payouts"),
    path("staff/settlement/payouts/<int:batch_id>/", staff_payouts.batch_detail, name="staff-payout"),
    path(
        "staff/settlement/periods/<int:period_id>/payouts/prepare/",
        staff_payouts.batch_prepare,
        name="staff-payout-prepare",
    ),
    path("staff/settlement/payouts/<int:batch_id>/approve/", staff_payouts.batch_approve, name="staff-payout-approve"),
    path("staff/settlement/payouts/<int:batch_id>/export/", staff_payouts.batch_export, name="staff-payout-export"),
    path("staff/settlement/payouts/<int:batch_id>/paid/", staff_payouts.batch_mark_paid, name="staff-payout-paid"),
]
