"""Every change to employers, workers, employments, memberships and claims goes through these functions.

Each takes the acting user and the channel as keywords, runs in one transaction, and writes its audit history in
that transaction (django-simple-history, stamped by ``berjasa.audit``). Views, admin actions, imports and
commands call them; none of them writes the models directly.
"""

from enrollment.services.claims import advance_claim, record_claim, record_claim_as
from enrollment.services.personal import (
    change_personal_data,
    decide_change_request,
    request_change,
    withdraw_change_request,
)
from enrollment.services.roster import (
    EnrolmentRequest,
    correct_worker,
    end_membership,
    enrol_worker,
    hire_worker,
    register_worker,
    terminate_employment,
    update_employment,
    update_worker,
)
from enrollment.services.versions import StaleEdit

__all__ = [
    "EnrolmentRequest",
    "StaleEdit",
    "advance_claim",
    "change_personal_data",
    "correct_worker",
    "decide_change_request",
    "end_membership",
    "enrol_worker",
    "hire_worker",
    "record_claim",
    "record_claim_as",
    "register_worker",
    "request_change",
    "terminate_employment",
    "update_employment",
    "update_worker",
    "withdraw_change_request",
]
