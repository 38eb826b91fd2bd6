"""Who may open which part of the site. Views name the roles they serve; everyone else gets a 404."""

import ipaddress
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from berjasa.roles import Role, user_has_any_role


def role_required(*roles: Role) -> Callable:
    """Anonymous users go to the login page; signed-in users without one of ``roles`` get a 404."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_any_role(request.user, roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the login limits count it.

    REMOTE_ADDR, unless it is one of ``TRUSTED_PROXIES``: then X-Forwarded-For is read from its right end (each
    proxy appends the address it saw) past the trusted proxies, to the first address no proxy of ours wrote.
    Whatever a client put at the left end itself is never reached, and a client that connects directly is
    known by its own address whatever the header says.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not _is_trusted_proxy(remote):
        return remote
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(forwarded):
        if not _is_trusted_proxy(hop):
            return hop if _is_address(hop) else remote
    return remote


def _is_address(value: str | None) -> bool:
    try:
        ipaddress.ip_address(value or "")
    except ValueError:
        return False
    return True


def _is_trusted_proxy(value: str | None) -> bool:
    if not _is_address(value):
        return False
    address = ipaddress.ip_address(value)
    return any(address in network for network in settings.TRUSTED_PROXIES)
