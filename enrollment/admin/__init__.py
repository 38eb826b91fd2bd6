"""The admin of the register: employers, workers, employments, memberships, claims and import batches
(``records``), their bulk actions (``actions``), the upload pages of import batches (``imports``) and
Disnaker's identity checks (``identity``)."""

from enrollment.admin import identity, records  # noqa: F401 - register their admins
