"""The activation link's token: the invitation's id and an HMAC of its id and nonce under ``SECRET_KEY``.

Nothing in the database is a usable token: a copy of the tables without the key makes no link, and a re-send's
new nonce makes every older link fail the check. The id in the token only finds the row; the HMAC decides.
"""

from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

SALT = "invitations.tokens.activation"


def _mac(invitation_id: int, nonce: str) -> str:
    return salted_hmac(SALT, f"{invitation_id}:{nonce}", algorithm="sha256").hexdigest()[:40]


def make_token(invitation) -> str:
    return f"{int_to_base36(invitation.pk)}-{_mac(invitation.pk, invitation.nonce)}"


def invitation_for_token(token: str):
    """The invitation the token was made for (whatever its status), or None for an unknown or tampered token."""
    from invitations.models import Invitation

    head, _, mac = (token or "").partition("-")
    if not head or not mac or len(head) > 13:
        return None
    try:
        invitation_id = base36_to_int(head)
    except ValueError:
        return None
    invitation = (
        Invitation.objects.select_related("employer", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not constant_time_compare(mac, _mac(invitation.pk, invitation.nonce)):
        return None
    return invitation
