"""A person the two demo employers share, with a change awaiting confirmation, so the change-request screens of
``make run`` are not empty. Written through the services; safe to re-run (nothing is written a second time)."""

from django.db import transaction
from django.utils import timezone

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Employer, Employment, PersonalDataChangeRequest, Worker


@transaction.atomic
def ensure_shared_person(
    requester: Employer, keeper: Employer, *, acting_user
) -> PersonalDataChangeRequest | None:
    """One of ``keeper``'s workers also on ``requester``'s roster, and ``requester``'s pending correction of the
    person's name (an identity field, so ``keeper``'s users may confirm it). None when nothing fits."""
    pending = PersonalDataChangeRequest.objects.filter(
        employer=requester, status=PersonalDataChangeRequest.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    worker = (
        Worker.objects.filter(
            keeper=keeper, employments__employer=keeper, employments__end_date__isnull=True
        )
        .exclude(employments__employer=requester)
        .order_by("name", "pk")
        .first()
    )
    if worker is None:
        return None
    employment = Employment.objects.get(worker=worker, employer=keeper, end_date__isnull=True)
    services.hire_worker(
        worker,
        requester,
        start_date=timezone.localdate().replace(day=1),
        monthly_wage=employment.monthly_wage,
        acting_user=acting_user,
        channel=Channel.COMMAND,
    )
    first, *rest = worker.name.split(" ")
    return services.change_personal_data(
        worker,
        acting_user=acting_user,
        channel=Channel.COMMAND,
        employer=requester,
        name=" ".join([first, "Nur", *rest]),
    )
