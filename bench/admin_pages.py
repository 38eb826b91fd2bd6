"""Every changelist page of an admin site, derived from its registry: what the benchmark times and the
query-count test opens.

For each model admin the user may view: the first page; "Show counts" (``_facets=1``) where the admin lets a
user turn facets on; each choice of each list filter (an even sample of at most ``max_choices`` where a
filter offers more, e.g. kecamatan); each pair of filters (the middle sampled choice of each); a search for
each search field with a term taken from the data (an identifier whole, a name's first word); the sort by
each sortable column. A filter, search field or column added tomorrow is in the list without editing it.

Needs Django set up; reads a row or two of each table for the search terms.
"""

from dataclasses import dataclass
from itertools import combinations
from urllib.parse import parse_qsl, urlencode

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.db.models.constants import LOOKUP_SEP
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

# Search lookups the admin writes as a prefix of the field or a suffix of its path.
SEARCH_PREFIXES = "^=@"
SEARCH_LOOKUPS = {"exact", "iexact", "startswith", "istartswith", "contains", "icontains"}
WHOLE_VALUE_LOOKUPS = {"exact", "iexact", "startswith", "istartswith"}


@dataclass(frozen=True)
class AdminPage:
    name: str
    url: str


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _sample(items: list, most: int) -> list:
    """At most ``most`` items spread evenly over ``items``, the first and the last among them."""
    if len(items) <= most:
        return items
    step = (len(items) - 1) / (most - 1)
    return [items[round(index * step)] for index in range(most)]


def _search_path(field: str) -> tuple[str, bool]:
    """The model path of a ``search_fields`` entry, and whether the admin matches the value whole."""
    whole = field[0] in SEARCH_PREFIXES
    path = field.lstrip(SEARCH_PREFIXES)
    head, _sep, lookup = path.rpartition(LOOKUP_SEP)
    if head and lookup in SEARCH_LOOKUPS:
        return head, whole or lookup in WHOLE_VALUE_LOOKUPS
    return path, whole


def _search_terms(model_admin, request) -> dict[str, str]:
    """One term per search field, from a row of the model: an identifier whole, a name's first word."""
    fields = [
        *((field, True) for field in getattr(model_admin, "identifier_search_fields", ())),
        *(_search_path(field) for field in model_admin.get_search_fields(request)),
    ]
    terms = {}
    for path, whole in fields:
        value = (
            model_admin.model._default_manager.exclude(**{f"{path}__isnull": True})
            .exclude(**{path: ""})
            .order_by("pk")
            .values_list(path, flat=True)
            .first()
        )
        if value is not None:
            text = str(value)
            terms[path] = text if whole or not text.split() else text.split()[0]
    return terms


def _filter_choices(spec, changelist, most: int) -> list[tuple[str, dict[str, str]]]:
    """The choices a filter offers (but "All"), as (label, query parameters), sampled to ``most``."""
    choices = [
        (str(choice["display"]), dict(parse_qsl(choice["query_string"].lstrip("?"))))
        for choice in spec.choices(changelist)
        if not choice["selected"]
    ]
    return _sample(choices, most)


def model_pages(model_admin, user, max_choices: int = 5, pairs: bool = True) -> list[AdminPage]:
    """The changelist pages of one model admin, as ``user`` sees them (without pairs of filters if not
    ``pairs``)."""
    model = model_admin.model
    url = changelist_url(model)
    request = RequestFactory().get(url)
    request.user = user
    label = model._meta.label

    def page(name: str, **params) -> AdminPage:
        return AdminPage(f"{label}: {name}", f"{url}?{urlencode(params)}" if params else url)

    pages = [page("first page")]
    if model_admin.show_facets == admin.ShowFacets.ALLOW:
        pages.append(page("show counts", _facets="1"))
    with translation.override("en"):
        changelist = model_admin.get_changelist_instance(request)
        filters = [
            (str(spec.title), _filter_choices(spec, changelist, max_choices))
            for spec in changelist.filter_specs
        ]
        sorts = [
            (str(header["text"]), header["url_primary"])
            for header in result_headers(changelist)
            if header["sortable"]
        ]
    for title, choices in filters:
        pages += [page(f"{title} = {display}", **params) for display, params in choices]
    if pairs:
        # Each filter's middle sampled choice: a date filter's "This month", a middle kecamatan.
        chosen = [(title, choices[len(choices) // 2]) for title, choices in filters if choices]
        pages += [
            page(f"{title_a} = {display_a} + {title_b} = {display_b}", **params_a, **params_b)
            for (title_a, (display_a, params_a)), (title_b, (display_b, params_b)) in combinations(
                chosen, 2
            )
        ]
    pages += [
        page(f"search {path} {term!r}", q=term)
        for path, term in _search_terms(model_admin, request).items()
    ]
    pages += [
        page(f"sorted by {column}", **dict(parse_qsl(query.lstrip("?")))) for column, query in sorts
    ]
    return pages


def changelist_pages(site: admin.AdminSite, user, max_choices: int = 5) -> list[AdminPage]:
    """Every changelist page of every model registered on ``site`` that ``user`` may view."""
    request = RequestFactory().get("/")
    request.user = user
    return [
        page
        for model, model_admin in sorted(
            site._registry.items(), key=lambda item: item[0]._meta.label
        )
        if model_admin.has_view_permission(request)
        for page in model_pages(model_admin, user, max_choices)
    ]
