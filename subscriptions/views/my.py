"""Placeholder until the helper writing this module replaces it."""
from django.http import Http404


def cancel(request, **kwargs):
    raise Http404


def change_address(request, **kwargs):
    raise Http404


def change_card(request, **kwargs):
    raise Http404


def change_plan(request, **kwargs):
    raise Http404


def pause(request, **kwargs):
    raise Http404


def reactivate(request, **kwargs):
    raise Http404


def resume(request, **kwargs):
    raise Http404


def skip(request, **kwargs):
    raise Http404


def subscription_detail(request, **kwargs):
    raise Http404


def subscription_list(request, **kwargs):
    raise Http404


def unskip(request, **kwargs):
    raise Http404

