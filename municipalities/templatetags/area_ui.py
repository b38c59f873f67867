"""{% area_links "merchant" %} and {% area_sections "bundle_detail" bundle %}: see municipalities.area_ui."""

from django import template
from django.utils.safestring import mark_safe

from municipalities import area_ui

register = template.Library()


@register.inclusion_tag("partials/area_links.html", takes_context=True)
def area_links(context, area: str) -> dict:
    return {"links": area_ui.links_for(area, context["request"]), "area": area}


@register.simple_tag(takes_context=True)
def area_sections(context, area: str, obj) -> str:
    # Each section is a template rendered by Django (escaped there), so joining them is safe.
    return mark_safe("".join(area_ui.sections_for(area, context["request"], obj)))  # noqa: S308
