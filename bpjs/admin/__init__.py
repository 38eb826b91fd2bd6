"""The BPJS loop in the admin, one module per part: the hand-over and BPJS's response (``registration``), BPJS's
monthly statements and the discrepancy list (``statements``)."""

from bpjs.admin import registration, statements  # noqa: F401 - registers their admins
