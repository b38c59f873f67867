"""Placeholder until the helper writing this module replaces it."""
from django.http import Http404


def order_authenticate(request, **kwargs):
    raise Http404


def order_detail(request, **kwargs):
    raise Http404


def order_list(request, **kwargs):
    raise Http404


def order_receipt_pdf(request, **kwargs):
    raise Http404


def order_retry(request, **kwargs):
    raise Http404

