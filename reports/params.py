"""Turning names that people type (a segment code, a kecamatan code or name, an NPP) into a report scope."""

from django.db.models import Q
from django.utils.translation import gettext as _

from enrollment.models import Employer
from programs.models import Kecamatan, Segment
from reports.queries import Scope


class ScopeError(ValueError):
    pass


def scope_from_codes(*, segment: str = "", kecamatan: str = "", employer_npp: str = "") -> Scope:
    """The scope for a segment code, a kecamatan (code or name) and an employer's NPP, each optional."""
    values: dict[str, int] = {}
    if segment:
        found = Segment.objects.filter(code__iexact=segment).values_list("pk", flat=True).first()
        if found is None:
            raise ScopeError(_("There is no segment “%(code)s”.") % {"code": segment})
        values["segment_id"] = found
    if kecamatan:
        found = (
            Kecamatan.objects.filter(Q(code=kecamatan) | Q(name__iexact=kecamatan))
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise ScopeError(_("There is no district “%(name)s”.") % {"name": kecamatan})
        values["kecamatan_id"] = found
    if employer_npp:
        found = Employer.objects.filter(npp=employer_npp).values_list("pk", flat=True).first()
        if found is None:
            raise ScopeError(_("There is no employer with NPP %(npp)s.") % {"npp": employer_npp})
        values["employer_id"] = found
    return Scope(**values)
