"""Placeholder until the helper writing this module replaces it."""
from django.http import Http404


def promo_create(request, **kwargs):
    raise Http404


def promo_detail(request, **kwargs):
    raise Http404


def promo_list(request, **kwargs):
    raise Http404


def subscription_list(request, **kwargs):
    raise Http404


def subscription_timeline(request, **kwargs):
    raise Http404


def support_create(request, **kwargs):
    raise Http404


def support_list(request, **kwargs):
    raise Http404

