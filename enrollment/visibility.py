"""What each user may see: one queryset per model, used by every portal list, detail, form, download and import.

Administrators and operators see everything. An employer's user sees only the records of the employers its
login is linked to, and within the portal only those of the employer it is working on. Everyone else sees nothing.
A lookup outside these querysets is a 404, never a 403 that would confirm the record exists.

Of a worker, an employer reads the identity (NIK, ``IDENTITY_FIELDS``) always, and the contact fields
(``CONTACT_FIELDS``) only as the worker's record keeper (``Worker.keeper``): ``worker_fields_visible_to`` and
``contact_visible_to`` decide it for every page, form, download, preview and history. The DTSEN decile is never
shown to employers.
"""

from collections.abc import Callable

from django.db.models import Exists, OuterRef, QuerySet

from berjasa.roles import (
    PARTICIPANT_LIST_ROLES,
    STAFF_ROLES,
    Role,
    user_has_any_role,
    user_has_role,
)
from enrollment.models import (
    IDENTITY_FIELDS,
    PERSONAL_FIELDS,
    Claim,
    Employer,
    Employment,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
)

NOT_SHOWN = "•••"  # in place of a recorded value the reader may not see (history, previews, change requests)


def _sees_everything(user) -> bool:
    return user_has_any_role(user, STAFF_ROLES)


def employers_visible_to(user) -> QuerySet[Employer]:
    if _sees_everything(user):
        return Employer.objects.all()
    if user_has_role(user, Role.EMPLOYER):
        return Employer.objects.filter(user_links__user=user)
    return Employer.objects.none()


def _employer_ids(user, employer: Employer | None) -> QuerySet:
    """The employers whose records are in scope: ``employer`` if the user may see it, else all it may see."""
    visible = employers_visible_to(user)
    if employer is not None:
        visible = visible.filter(pk=employer.pk)
    return visible.values("pk")


def employments_visible_to(user, employer: Employer | None = None) -> QuerySet[Employment]:
    if employer is None and _sees_everything(user):
        return Employment.objects.all()
    return Employment.objects.filter(employer__in=_employer_ids(user, employer))


def workers_visible_to(user, employer: Employer | None = None) -> QuerySet[Worker]:
    """Workers who have (or had) a job with a visible employer."""
    if employer is None and _sees_everything(user):
        return Worker.objects.all()
    return Worker.objects.filter(
        Exists(employments_visible_to(user, employer).filter(worker=OuterRef("pk")))
    )


def memberships_visible_to(user, employer: Employer | None = None) -> QuerySet[Membership]:
    """Memberships an employer registered (never the city-funded or other employers' ones of its workers)."""
    if employer is None and _sees_everything(user):
        return Membership.objects.all()
    return Membership.objects.filter(employer__in=_employer_ids(user, employer))


def city_funded_memberships_visible_to(user) -> QuerySet[Membership]:
    """The city-funded memberships whose participant lists the city budget's pages show: to the roles that
    check BPJS's invoice person by person (PARTICIPANT_LIST_ROLES; decision 60), none to anyone else."""
    if user_has_any_role(user, PARTICIPANT_LIST_ROLES):
        return Membership.objects.filter(funding_scheme__is_city_budget=True)
    return Membership.objects.none()


def claims_visible_to(user, employer: Employer | None = None) -> QuerySet[Claim]:
    if employer is None and _sees_everything(user):
        return Claim.objects.all()
    return Claim.objects.filter(employer__in=_employer_ids(user, employer))


def import_batches_visible_to(user, employer: Employer | None = None) -> QuerySet[ImportBatch]:
    """Imports into the rosters of visible employers (staff also see the city's imports, such as DTSEN)."""
    if employer is None and _sees_everything(user):
        return ImportBatch.objects.all()
    return ImportBatch.objects.filter(employer__in=_employer_ids(user, employer))


def contact_visible_to(user, employer: Employer | None) -> Callable[[int | None], bool]:
    """Given a worker's keeper id, whether ``user`` (working on ``employer``) reads the worker's contact fields.

    A predicate on a plain value, so a list or a download decides each row without a query.
    """
    if employer is None and _sees_everything(user):
        return lambda keeper_id: True
    keeper = employer.pk if employer is not None else None
    return lambda keeper_id: keeper is not None and keeper_id == keeper


def worker_fields_visible_to(user, employer: Employer | None, worker: Worker) -> tuple[str, ...]:
    """The personal fields of ``worker`` that ``user`` may read: all of them, or the identity only."""
    return (
        PERSONAL_FIELDS if contact_visible_to(user, employer)(worker.keeper_id) else IDENTITY_FIELDS
    )


def change_requests_made_by(user, employer: Employer) -> QuerySet[PersonalDataChangeRequest]:
    """The change requests ``employer`` made, if ``user`` may work on it."""
    return PersonalDataChangeRequest.objects.filter(employer__in=_employer_ids(user, employer))


def change_requests_to_confirm(user, employer: Employer) -> QuerySet[PersonalDataChangeRequest]:
    """Pending identity-change requests of other employers about persons on ``employer``'s roster."""
    return (
        PersonalDataChangeRequest.objects.filter(
            status=PersonalDataChangeRequest.Status.PENDING, identity_only=True
        )
        .filter(
            Exists(
                employments_visible_to(user, employer).filter(
                    worker=OuterRef("worker"), end_date__isnull=True
                )
            )
        )
        .exclude(employer=employer)
    )
