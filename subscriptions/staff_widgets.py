"""The subscription app's part of the staff area: side-navigation links and the dashboard widget."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from municipalities import staff_ui
from municipalities.models import STAFF_ROLES
from subscriptions import clock, selectors
from subscriptions.models import Subscription

WIDGET_DAYS = 30


def _subscriptions_widget(request: HttpRequest) -> dict:
    stats = selectors.subscription_dashboard_stats(
        municipality=request.municipality, since=clock.now() - timedelta(days=WIDGET_DAYS)
    )
    return {
        "subscription_status_counts": [
            (value, label, stats["status_counts"][value]) for value, label in Subscription.Status.choices
        ],
        "subscription_new": stats["new"],
        "subscription_canceled": stats["canceled_recently"],
        "subscription_cancel_reasons": stats["top_cancel_reasons"],
        "subscription_days": WIDGET_DAYS,
    }


def register() -> None:
    staff_ui.register_nav(
        label=_("구독"),
        url_name="subscriptions:staff-subscriptions",
        roles=STAFF_ROLES,
        order=30,
        sections={"subscriptions:staff-subscription"},
    )
    staff_ui.register_nav(
        label=_("프로모션 코드"),
        url_name="subscriptions:staff-promos",
        roles=STAFF_ROLES,
        order=31,
        sections={"subscriptions:staff-promo", "subscriptions:staff-promo-create"},
    )
    staff_ui.register_nav(
        label=_("배송비 지원"),
        url_name="subscriptions:staff-support",
        roles=STAFF_ROLES,
        order=32,
        sections={"subscriptions:staff-support-create"},
    )
    # Billing pages (subscriptions.views.billing_staff).
    staff_ui.register_nav(
        label=_("결제·배송 회차"),
        url_name="subscriptions:staff-cycles",
        roles=STAFF_ROLES,
        order=33,
        sections={"subscriptions:staff-cycle"},
    )
    staff_ui.register_nav(
        label=_("결제 실패"),
        url_name="subscriptions:staff-failed-payments",
        roles=STAFF_ROLES,
        order=34,
        sections={"subscriptions:staff-order"},
    )
    staff_ui.register_widget(
        template_name="subscriptions/staff/partials/_widget.html",
        context=_subscriptions_widget,
        roles=STAFF_ROLES,
        order=30,
    )
