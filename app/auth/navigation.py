"""Where each role starts, and the staff navigation bar.

A person signed in lands on the page of their work: analysts and unit
managers on the dashboard, administrators on the administration overview,
surveyors on the tablet app. Every staff page carries a bar with only the
links the person's role may open (the same roles the views declare with
``@allow``), the current page marked with ``aria-current``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from app.access import allowed_roles

#: the endpoint of each role's home page
ROLE_HOME = {
    "admin": "admin.index",
    "analyst": "reports.dashboard",
    "unit_manager": "reports.dashboard",
    "surveyor": "surveyor.home",
}


@dataclass(frozen=True)
class NavItem:
    """One link of the bar: the endpoint it opens, its text key, and the
    endpoints (by prefix) for which it is the current page."""

    endpoint: str
    text_key: str
    current_for: tuple[str, ...]
    #: endpoints (by prefix) that belong to a more specific item
    except_for: tuple[str, ...] = ()


NAV_ITEMS = (
    NavItem("reports.dashboard", "nav.dashboard", ("reports.",)),
    NavItem("targets.index", "nav.targets", ("targets.",)),
    NavItem("results.page", "nav.results", ("results.",)),
    NavItem("surveyor.home", "nav.surveyor", ("surveyor.",)),
    NavItem("dossier_sheets.index", "nav.dossier_sheets", ("dossier_sheets.",)),
    NavItem("admin.responses", "nav.review", ("admin.response",)),
    NavItem("admin.index", "nav.admin", ("admin.",), except_for=("admin.response", "admin.user")),
    NavItem("admin.users", "nav.accounts", ("admin.user",)),
    NavItem("auth.account", "nav.account", ("auth.account", "auth.password")),
)


@dataclass(frozen=True)
class NavLink:
    href: str
    text_key: str
    current: bool


def home_endpoint(role: str) -> str:
    return ROLE_HOME.get(role, "auth.account")


def home_url(user) -> str:
    """The page ``user`` lands on after sign-in."""
    return url_for(home_endpoint(user.role))


def _may_open(endpoint: str, role: str) -> bool:
    roles = allowed_roles(current_app.view_functions.get(endpoint)) or frozenset()
    return bool(roles & {"public", "authenticated", role})


def staff_links(user) -> list[NavLink]:
    """The links of the bar for ``user`` on the current page."""
    here = request.endpoint or ""
    links = []
    for item in NAV_ITEMS:
        if not _may_open(item.endpoint, user.role):
            continue
        current = here.startswith(item.current_for) and not here.startswith(item.except_for or ("\0",))
        links.append(NavLink(url_for(item.endpoint), item.text_key, current))
    return links
