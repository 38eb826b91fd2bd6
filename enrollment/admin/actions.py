"""Admin actions that change data through the service layer (the same rules as the portal and imports)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Claim, Employment, PersonalDataChangeRequest


class TerminationForm(forms.Form):
    end_date = forms.DateField(label=gettext_lazy("Last day of employment"))
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=Employment.TerminationReason.choices
    )


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(label=gettext_lazy("Last day of cover"))


class PaymentForm(forms.Form):
    paid_date = forms.DateField(label=gettext_lazy("Paid on"))


def seen_version_name(obj) -> str:
    """The name of the hidden input that carries a listed row's version (``SeenVersionsMixin``)."""
    return f"seen_version_{obj.pk}"


def seen_version(request, obj) -> int | None:
    """The version of ``obj`` that the changelist (or the action's page) showed; None if it did not say."""
    value = request.POST.get(seen_version_name(obj), "")
    return int(value) if value.isdigit() else None


def _apply_each(modeladmin, request, objects, action, done_message) -> None:
    """Run ``action`` on each object, each in its own transaction; report successes and refusals.

    ``done_message`` is an ``ngettext_lazy`` message counted by its ``count``.
    """
    done = 0
    for obj in objects:
        try:
            action(obj)
        except ValidationError as error:
            modeladmin.message_user(
                request, f"{obj}: {' '.join(error.messages)}", level=messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, level=messages.SUCCESS)


def ask_for_confirmation(
    modeladmin, request, queryset, form, title: str, action_name: str
) -> TemplateResponse:
    """The intermediate page of an action that needs a few more answers; it passes on the listed versions."""
    objects = list(queryset)
    for obj in objects:
        obj.seen_version = seen_version(request, obj)
    return TemplateResponse(
        request,
        "admin/enrollment/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "objects": objects,
            "action_name": action_name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


@admin.action(
    description=gettext_lazy("End the selected employments (and their memberships)"),
    permissions=["change"],
)
def terminate_employments(modeladmin, request, queryset):
    queryset = queryset.select_related("worker", "employer")  # named on the page and in messages
    form = TerminationForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return ask_for_confirmation(
            modeladmin, request, queryset, form, _("End employments"), "terminate_employments"
        )

    def terminate(employment):
        services.terminate_employment(
            employment,
            end_date=form.cleaned_data["end_date"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
            channel=Channel.ADMIN,
            seen_version=seen_version(request, employment),
        )

    _apply_each(
        modeladmin,
        request,
        queryset,
        terminate,
        ngettext_lazy("%(count)d employment ended.", "%(count)d employments ended.", "count"),
    )
    return None


@admin.action(description=gettext_lazy("End the selected memberships"), permissions=["change"])
def end_memberships(modeladmin, request, queryset):
    queryset = queryset.select_related("worker", "program")  # named on the page and in messages
    form = MembershipEndForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return ask_for_confirmation(
            modeladmin, request, queryset, form, _("End memberships"), "end_memberships"
        )
    _apply_each(
        modeladmin,
        request,
        queryset,
        lambda membership: services.end_membership(
            membership,
            end_date=form.cleaned_data["end_date"],
            acting_user=request.user,
            channel=Channel.ADMIN,
            seen_version=seen_version(request, membership),
        ),
        ngettext_lazy("%(count)d membership ended.", "%(count)d memberships ended.", "count"),
    )
    return None


def _advance(status: str, description, done_message):
    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        _apply_each(
            modeladmin,
            request,
            queryset.select_related("benefit_type"),  # a claim is named by its benefit's code
            lambda claim: services.advance_claim(
                claim,
                status,
                acting_user=request.user,
                channel=Channel.ADMIN,
                seen_version=seen_version(request, claim),
            ),
            done_message,
        )

    action.__name__ = f"mark_{status.lower()}"
    return action


mark_verified = _advance(
    Claim.Status.VERIFIED,
    gettext_lazy("Mark the selected claims verified"),
    ngettext_lazy("%(count)d claim verified.", "%(count)d claims verified.", "count"),
)
mark_rejected = _advance(
    Claim.Status.REJECTED,
    gettext_lazy("Reject the selected claims"),
    ngettext_lazy("%(count)d claim rejected.", "%(count)d claims rejected.", "count"),
)


@admin.action(description=gettext_lazy("Mark the selected claims paid"), permissions=["change"])
def mark_paid(modeladmin, request, queryset):
    queryset = queryset.select_related("benefit_type")  # a claim is named by its benefit's code
    form = PaymentForm(
        request.POST if "apply" in request.POST else None,
        initial={"paid_date": timezone.localdate()},
    )
    if not form.is_valid():
        return ask_for_confirmation(
            modeladmin, request, queryset, form, _("Mark claims paid"), "mark_paid"
        )
    _apply_each(
        modeladmin,
        request,
        queryset,
        lambda claim: services.advance_claim(
            claim,
            Claim.Status.PAID,
            acting_user=request.user,
            channel=Channel.ADMIN,
            paid_date=form.cleaned_data["paid_date"],
            seen_version=seen_version(request, claim),
        ),
        ngettext_lazy("%(count)d claim paid.", "%(count)d claims paid.", "count"),
    )
    return None


def _decide(modeladmin, request, queryset, *, approve: bool, done_message) -> None:
    """Disnaker's decision on each selected pending request, through the service (stale ones are refused)."""
    pending = queryset.filter(status=PersonalDataChangeRequest.Status.PENDING)
    _apply_each(
        modeladmin,
        request,
        pending.select_related("worker", "employer"),
        lambda change_request: services.decide_change_request(
            change_request, approve=approve, acting_user=request.user, channel=Channel.ADMIN
        ),
        done_message,
    )


@admin.action(
    description=gettext_lazy("Approve the selected change requests (apply them)"),
    permissions=["change"],
)
def approve_change_requests(modeladmin, request, queryset):
    _decide(
        modeladmin,
        request,
        queryset,
        approve=True,
        done_message=ngettext_lazy(
            "%(count)d change request approved and applied.",
            "%(count)d change requests approved and applied.",
            "count",
        ),
    )


@admin.action(
    description=gettext_lazy("Reject the selected change requests"), permissions=["change"]
)
def reject_change_requests(modeladmin, request, queryset):
    _decide(
        modeladmin,
        request,
        queryset,
        approve=False,
        done_message=ngettext_lazy(
            "%(count)d change request rejected.", "%(count)d change requests rejected.", "count"
        ),
    )
