"""Placeholder until the helper writing this module replaces it."""
from django.http import Http404


def home(request, **kwargs):
    raise Http404


def profile_edit(request, **kwargs):
    raise Http404

