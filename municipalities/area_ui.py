"""Extension points of the pages that are not the staff area, so higher apps add to them without the
lower app importing them (staff_ui does the same for the staff area).

Two kinds, both registered in an AppConfig.ready():
- links of an area's menu: "merchant" (the merchant portal's home), "my" (the subscriber's 내 구독 pages),
  "partner" (the tourism partner portal's home):
      area_ui.register_link(area="merchant", label=_("정산서"), url_name="settlement:merchant-statements", order=30)
- sections rendered inside a page about one object: "bundle_detail" (the storefront's bundle page; the
  object is the Bundle), "my_subscription" (one subscription on 내 구독; the object is the Subscription),
  "merchant_home" (the merchant portal's home; the object is the Merchant). The context callable returns
  None when it has nothing to show for that object, and the section is left out.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse


@dataclass(frozen=True)
class Link:
    area: str
    label: str
    url_name: str
    order: int
    description: str


@dataclass(frozen=True)
class Section:
    area: str
    template_name: str
    context: Callable[[HttpRequest, object], dict | None]
    order: int


_links: list[Link] = []
_sections: list[Section] = []


def register_link(*, area: str, label: str, url_name: str, order: int, description: str = "") -> None:
    if any(link.area == area and link.url_name == url_name for link in _links):
        return
    _links.append(Link(area, label, url_name, order, description))
    _links.sort(key=lambda link: link.order)


def register_section(
    *, area: str, template_name: str, context: Callable[[HttpRequest, object], dict | None], order: int
) -> None:
    if any(section.area == area and section.template_name == template_name for section in _sections):
        return
    _sections.append(Section(area, template_name, context, order))
    _sections.sort(key=lambda section: section.order)


def links_for(area: str, request: HttpRequest) -> list[dict]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {
            "label": link.label,
            "description": link.description,
            "url": reverse(link.url_name, kwargs={"municipality_slug": request.municipality.slug}),
            "current": current == link.url_name,
        }
        for link in _links
        if link.area == area
    ]


def sections_for(area: str, request: HttpRequest, obj: object) -> list[str]:
    rendered = []
    for section in _sections:
        if section.area != area:
            continue
        context = section.context(request, obj)
        if context is not None:
            rendered.append(render_to_string(section.template_name, context, request=request))
    return rendered
