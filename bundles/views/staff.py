"""Placeholder until the helper writing this module replaces it."""
from django.http import Http404


def bundle_composer(request, **kwargs):
    raise Http404


def bundle_create(request, **kwargs):
    raise Http404


def bundle_duplicate(request, **kwargs):
    raise Http404


def bundle_images(request, **kwargs):
    raise Http404


def bundle_item_set(request, **kwargs):
    raise Http404


def bundle_list(request, **kwargs):
    raise Http404


def bundle_plan_set(request, **kwargs):
    raise Http404


def bundle_product_search(request, **kwargs):
    raise Http404


def bundle_status(request, **kwargs):
    raise Http404


def merchant_create(request, **kwargs):
    raise Http404


def merchant_edit(request, **kwargs):
    raise Http404


def merchant_list(request, **kwargs):
    raise Http404


def plan_list(request, **kwargs):
    raise Http404


def product_create(request, **kwargs):
    raise Http404


def product_edit(request, **kwargs):
    raise Http404


def product_export(request, **kwargs):
    raise Http404


def product_import(request, **kwargs):
    raise Http404


def product_list(request, **kwargs):
    raise Http404

