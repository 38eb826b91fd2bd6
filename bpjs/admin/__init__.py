"""The admin of the BPJS loop: BPJS's monthly statements and the discrepancy list (``statements``)."""

from bpjs.admin import statements  # noqa: F401 - registers its admins
