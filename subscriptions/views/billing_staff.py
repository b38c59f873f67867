"""Placeholder until the helper writing this module replaces it."""
from django.http import Http404


def cycle_close_now(request, **kwargs):
    raise Http404


def cycle_detail(request, **kwargs):
    raise Http404


def cycle_list(request, **kwargs):
    raise Http404


def cycle_ship_date(request, **kwargs):
    raise Http404


def failed_payments(request, **kwargs):
    raise Http404


def order_detail(request, **kwargs):
    raise Http404


def order_refund_create(request, **kwargs):
    raise Http404

