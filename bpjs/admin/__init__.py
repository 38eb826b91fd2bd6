"""The BPJS loop in the admin: one module per part."""

from bpjs.admin import registration  # noqa: F401 - registers its admins
