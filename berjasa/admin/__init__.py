"""The admin's project-wide parts: the pieces every app's admin shares (``common``), the admin of user accounts,
login locks and second factors (``accounts``) and of background jobs (``background_jobs``), registered here. The
site itself is ``berjasa.admin_site``, outside this package: Django imports it before any admin is registered."""

from berjasa.admin import accounts, background_jobs  # noqa: F401 - register their admins
