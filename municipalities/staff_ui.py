"""Extension points of the staff area, so higher apps add to it without this floor importing them.

Each app registers its side-navigation links and dashboard widgets in its AppConfig.ready():
    staff_ui.register_nav(label=_("꾸러미"), url_name="bundles:staff-bundles", roles=CATALOG_ROLES, order=20)
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int
    # Other URL names whose pages belong under this link (a detail page under its list).
    sections: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Widget:
    template_name: str
    context: Callable[[HttpRequest], dict]
    roles: frozenset[str]
    order: int


_nav: list[NavItem] = []
_widgets: list[Widget] = []


def register_nav(*, label: str, url_name: str, roles: Iterable[str], order: int, sections: Iterable[str] = ()) -> None:
    if any(item.url_name == url_name for item in _nav):
        return
    _nav.append(NavItem(label, url_name, frozenset(roles), order, frozenset(sections)))
    _nav.sort(key=lambda item: item.order)


def register_widget(
    *, template_name: str, context: Callable[[HttpRequest], dict], roles: Iterable[str], order: int
) -> None:
    if any(widget.template_name == template_name for widget in _widgets):
        return
    _widgets.append(Widget(template_name, context, frozenset(roles), order))
    _widgets.sort(key=lambda widget: widget.order)


def nav_for(request: HttpRequest) -> list[dict]:
    roles = frozenset(request.roles)
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"municipality_slug": request.municipality.slug}),
            "current": current == item.url_name,
            "in_section": current in item.sections,
        }
        for item in _nav
        if roles & item.roles
    ]


def widgets_for(request: HttpRequest) -> list[str]:
    """The dashboard widgets this viewer may see, rendered (each with its own context) in order."""
    roles = frozenset(request.roles)
    return [
        render_to_string(widget.template_name, widget.context(request), request=request)
        for widget in _widgets
        if roles & widget.roles
    ]
