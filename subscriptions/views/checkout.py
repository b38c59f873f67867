"""Placeholder until the helper writing this module replaces it."""
from django.http import Http404


def card_setup(request, **kwargs):
    raise Http404


def checkout(request, **kwargs):
    raise Http404


def quote_partial(request, **kwargs):
    raise Http404

