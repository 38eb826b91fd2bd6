"""Every admin page an operator and an administrator can reach reads Indonesian, with Indonesian formats.

The walk is derived from the admin site: its own pages, every registered model's URLs (changelist, add, change,
delete, history, django-import-export's and the project's custom views) with one object of each model, every
changelist once per filter choice and once with a search, and the confirmation page of every action. A page
registered tomorrow is walked without editing this file. Each page's visible text (and the ``title``,
``placeholder`` and ``aria-label`` attributes) is checked for:

- English: a text equal to an English msgid whose Indonesian translation differs, or a tell-tale English word;
- a raw choice code (``VERIFIED``, ``PORTAL``, ``administrator``) where its label belongs;
- an unformatted amount: a bare integer of four or more digits that is no identifier (money ``Rp3.650.000``,
  counts ``39.851``);
- a date or time not in the clerk's format (``2022-03-06``, ``16 Des. 1995``, ``Dec. 16, 1995``, ``3:04``).

In English only the formats are checked.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, User
from django.db import models
from django.test import Client, RequestFactory
from django.urls import URLPattern, reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_info, trans_real
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from berjasa.roles import Role, user_has_role
from bpjs.models import RegistrationFile, StatementLine
from compliance.services import confirm_month
from enrollment.models import (
    Channel,
    Claim,
    IdentityProofAttempt,
    ImportBatch,
    PersonalDataChangeRequest,
    Worker,
)
from invitations.services import invite_employers
from privacy.models import AccessRecord
from reports.models import ReportSnapshot, WorkforceEstimate
from tests import factories
from tests.test_bpjs_statement import statement_file
from tests.test_imports import csv_file, row

pytestmark = pytest.mark.usefixtures("reference_data")

# A stored JSON value shown as it is stored.
RAW_JSON = re.compile(r"^[{\[].*[}\]]$")
# On the import and export pages a column's label carries the file's own header, which is no interface text:
# ``Kelompok (group)`` (berjasa.admin.import_export_pages.column_label).
FILE_HEADER = re.compile(r"\s\([a-z][a-z0-9_]*\)$")
# A stored token (an import's background task, a file's SHA-256, the folder of an error report) is no word,
# whatever letters its hex holds, alone or inside a path.
HEX_TOKEN = re.compile(r"[0-9a-f]{16,}")

# Views that show no page: downloads, JSON, redirects, POST-only endpoints are reached by their own tests.
NOT_PAGES = frozenset({"jsi18n", "autocomplete", "view_on_site", "logout"})

# English words a page in Indonesian never shows, whatever catalogue they come from.
ENGLISH_WORDS = frozenset(
    """the and with of by to from for all none unknown true false yes select add change delete save search
    history show hide view edit descending ascending date created updated action actions username password
    user users group groups device devices attempt attempts task tasks result results enqueued started
    finished priority queue""".split()  # noqa: SIM905 - a list of words reads better as words
)

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MONTHS = "Jan|Feb|Mar|Apr|May|Mei|Jun|June|Jul|July|Aug|Agu|Agt|Sep|Sept|Oct|Okt|Nov|Dec|Des"
ABBREVIATED_DATE = re.compile(
    rf"\b(\d{{1,2}}\s+({MONTHS})\.?\s+\d{{4}}|({MONTHS})\.?\s+\d{{1,2}},\s+\d{{4}})\b"
)
COLON_TIME = re.compile(r"\b\d{1,2}:\d{2}\b|\b[ap]\.m\.|\bmidnight\b|\bnoon\b")
# ``#1061`` is a record's number (an import batch, the record an access opened), not an amount.
LONG_NUMBER = re.compile(r"(?<![\w.,#])\d{4,}(?![\w,]|\.\d)")
RAW_FIELD_NAME = re.compile(r"\b[A-Z]+_[A-Z_]+\b")


# --- Visible text -------------------------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Text nodes of a page outside ``<script>``/``<style>``, plus the attributes people read."""

    READ_ATTRIBUTES = ("title", "placeholder", "aria-label")
    HIDDEN = ("script", "style", "template")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in self.READ_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


# --- What a page must not show ------------------------------------------------------------------------------


def untranslated_msgids() -> set[str]:
    """English msgids of every loaded catalogue (Django's, the apps', ours) whose Indonesian text differs."""
    catalog = trans_real.translation("id")._catalog
    english = set()
    for key in catalog.keys():  # noqa: SIM118 - TranslationCatalog has no __iter__
        msgid = key[0] if isinstance(key, tuple) else key
        if "\x04" in msgid:
            msgid = msgid.split("\x04", 1)[1]
        translated = catalog[key]
        if msgid and msgid != translated and re.search(r"[A-Za-z]{2}", msgid):
            english.add(" ".join(msgid.split()))
    return english


def raw_choice_codes() -> set[str]:
    """Stored values of every choices field (and the role groups' names) whose label differs from them."""
    codes = {role.value for role in Role}
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            for value, label in getattr(model_field, "flatchoices", None) or ():
                if isinstance(value, str) and re.search("[A-Za-z]", value) and value != str(label):
                    codes.add(value)
    return codes


def label_words() -> set[str]:
    """Words of choice labels: a code that is also a word of a label (DTSEN, "Daftar DTSEN") is no raw code."""
    return {
        word
        for model in apps.get_models()
        for model_field in model._meta.get_fields()
        for _value, label in getattr(model_field, "flatchoices", None) or ()
        for word in re.findall(r"\w+", str(label))
    }


def catalogue_codes() -> set[str]:
    """The codes of catalogue rows (programs, segments, funding schemes), shown as codes on purpose."""
    return {
        code
        for model in apps.get_models()
        if any(f.name == "code" for f in model._meta.concrete_fields)
        for code in model._base_manager.values_list("code", flat=True)
    }


def identifiers() -> set[str]:
    """Every stored code, number and name with a digit (NIK, KPJ, NPP, phones, references, usernames)."""
    found = set()
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField) and not f.choices
        ]
        if not names:
            continue
        for values in model._base_manager.values_list(*names):
            found.update(v for v in values if isinstance(v, str) and any(c.isdigit() for c in v))
    return found


@dataclass
class Rules:
    language: str
    english: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    code_words: set[str] = field(default_factory=set)
    known_identifiers: set[str] = field(default_factory=set)
    allowed_codes: set[str] = field(default_factory=set)
    own_names: set[str] = field(default_factory=set)

    def problems(self, text: str) -> list[str]:
        found = [f"ISO date: {text!r}" for _ in ISO_DATE.finditer(text)]
        found += [f"abbreviated date: {text!r}" for _ in ABBREVIATED_DATE.finditer(text)]
        found += [f"time with a colon: {text!r}" for _ in COLON_TIME.finditer(text)]
        found += [
            f"unformatted number {match.group()}: {text!r}"
            for match in LONG_NUMBER.finditer(text)
            if not self._identifier(match.group())
        ]
        if self.language != "id":
            return found
        if text not in self.own_names and (
            text in self.english or text.rstrip(":") in self.english
        ):
            found.append(f"English: {text!r}")
        words = re.findall(r"[A-Za-z_]+", text)
        found += [f"English word {w!r}: {text!r}" for w in words if w.lower() in ENGLISH_WORDS]
        if text in self.codes and text not in self.allowed_codes:
            found.append(f"raw code: {text!r}")
        found += [
            f"raw code {w!r}: {text!r}"
            for w in words
            if w != text
            and w not in self.allowed_codes
            and (w in self.code_words or RAW_FIELD_NAME.fullmatch(w))
        ]
        return found

    def _identifier(self, digits: str) -> bool:
        if len(digits) == 4 and 1900 <= int(digits) <= 2100:
            return True  # a year
        return any(digits in identifier for identifier in self.known_identifiers)


def rules_for(language: str) -> Rules:
    with translation.override("id"):
        codes = raw_choice_codes()
        stored_identifiers = identifiers()
        return Rules(
            language=language,
            english=untranslated_msgids(),
            codes=codes,
            code_words={c for c in codes if len(c) >= 4 and c.isupper()} - stored_identifiers,
            known_identifiers=stored_identifiers,
            allowed_codes=label_words() | catalogue_codes(),
            own_names={get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}
            | {get_language_info(code)["name"] for code, _name in settings.LANGUAGES},
        )


# --- The pages -----------------------------------------------------------------------------------------------


def one_object(model) -> models.Model:
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"make one {model._meta.label} in the data fixture of this test"
    return obj


def url_arguments(pattern: URLPattern, obj) -> list[object] | None:
    """The pattern's arguments in order for ``obj`` (its key; a past version's id), None when unknown."""
    values = {"object_id": obj.pk, "pk": obj.pk}
    if hasattr(obj, "history"):
        values["history_id"] = obj.history.order_by("history_id").first().history_id
    regex = pattern.pattern.regex
    names = sorted(regex.groupindex, key=regex.groupindex.get)
    if (
        len(names) < regex.groups
    ):  # django-simple-history's unnamed groups: a record, then a version
        names = ["object_id", "history_id"][: regex.groups]
    if not all(name in values for name in names):
        return None
    return [values[name] for name in names]


def admin_pages() -> list[tuple[str, str]]:
    """(url name, path) of every GET page of the admin site, one object per model."""
    site = admin.site
    pages = [
        ("index", reverse("admin:index")),
        ("password_change", reverse("admin:password_change")),
    ]
    for app_label in sorted({model._meta.app_label for model in site._registry}):
        pages.append(("app_list", reverse("admin:app_list", kwargs={"app_label": app_label})))
    for model, model_admin in site._registry.items():
        obj = one_object(model)
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            if pattern.name in NOT_PAGES:
                continue
            arguments = url_arguments(pattern, obj)
            if arguments is not None:
                pages.append((pattern.name, reverse(f"admin:{pattern.name}", args=arguments)))
    return pages


def walked_changelists(user: User):
    """(model, its admin, its changelist's URL name, a request of ``user``) of every changelist walked."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        name = f"{model._meta.app_label}_{model._meta.model_name}_changelist"
        if model_admin.has_view_permission(request):
            yield model, model_admin, name, request


def filtered_and_searched_changelists(client: Client, user: User) -> list[tuple[str, str]]:
    """Each changelist once per filter's first choice and once with a search for a name and a number."""
    pages = []
    for _model, model_admin, name, request in walked_changelists(user):
        url = reverse(f"admin:{name}")
        changelist = client.get(url).context["cl"]
        for spec in changelist.filter_specs:
            choices = [c for c in spec.choices(changelist) if not c.get("selected")]
            if choices:
                pages.append((f"{name} filtered", url + choices[0]["query_string"]))
        if model_admin.get_search_fields(request):
            pages += [(f"{name} searched", f"{url}?q=Andi"), (f"{name} searched", f"{url}?q=7371")]
    return pages


def action_confirmations(client: Client, user: User) -> list[tuple[str, object]]:
    """The pages the changelist's actions answer with for one selected row (confirmations and refusals)."""
    responses = []
    changelists = list(walked_changelists(user))
    # Chosen before any action runs: resetting a user's second factor deletes the walked device. The walking user
    # is not selected: reset, every later answer would be the page enrolling a second factor.
    selected = {model: one_object(model) for model, *_rest in changelists}
    selected[User] = User.objects.exclude(pk=user.pk).order_by("pk").first()
    for model, model_admin, name, request in changelists:
        obj = selected[model]
        for action in model_admin.get_actions(request):
            response = client.post(
                reverse(f"admin:{name}"),
                {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], "index": 0},
                follow=True,
            )
            responses.append((f"{name} action {action}", response))
    return responses


# --- Data: one row of every model -----------------------------------------------------------------------------


@pytest.fixture
def register(administrator, operator, client):
    """A small register as the demo has it, with one row of every model registered in the admin."""
    employer = factories.make_employer(npp="10000001", name="PT Angin Mamiri")
    worker = factories.make_worker(name="Andi Pratama", kpj="12345678901", phone="081234567890")
    factories.make_employment(worker, employer, monthly_wage=3_650_000)
    factories.make_membership(  # rejected by BPJS: on its work list too
        worker,
        "JKK",
        employer=employer,
        monthly_contribution=8_760,
        bpjs_status="REJECTED",
        bpjs_reason="NIK tidak ditemukan di Dukcapil",
    )
    RegistrationFile.objects.create(reference="REG-2025-08-0001", created_by=operator)
    factories.make_claim(worker, status=Claim.Status.VERIFIED, amount=6_834_122)
    employer_user = User.objects.create_user("employer_sari")
    factories.link_employer_user(employer_user, employer)
    confirm_month(employer, date(2025, 8, 1), acting_user=employer_user)
    invited = factories.make_employer(npp="10000002", name="CV Undangan", email="hr@undangan.test")
    invite_employers(type(invited).objects.filter(pk=invited.pk), acting_user=operator)
    PersonalDataChangeRequest.objects.create(
        worker=worker, employer=employer, changes={"name": ["Andi Pratama", "Andi Pratama Putra"]}
    )
    IdentityProofAttempt.objects.create(
        employer=employer,
        nik=worker.nik,
        worker=worker,
        channel=Channel.PORTAL,
        outcome=IdentityProofAttempt.Outcome.REFUSED,
        offered_name="Andi",
        start_date=date(2025, 7, 1),
        monthly_wage=3_900_000,
    )
    WorkforceEstimate.objects.create(
        year=2025, kind=WorkforceEstimate.Kind.EMPLOYED, workers=507_506
    )
    ReportSnapshot.objects.create(report="coverage", period="2025-08")
    AccessRecord.objects.create(
        user=administrator,
        channel=Channel.ADMIN,
        kind=AccessRecord.Kind.PERSON,
        username="admin_ani",
        worker=worker,
        employer=employer,
        rows=39_851,
    )
    StaticDevice.objects.create(user=administrator, name="kode cadangan", confirmed=True)
    TOTPDevice.objects.create(user=administrator, name="ponsel Ani", confirmed=True)
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="enrollment.imports.tasks.check",
        backend_name="default",
        run_after=timezone.now(),
    )
    login = {"username": "pengguna_lupa", "ip_address": "10.0.0.7", "user_agent": "Firefox"}
    AccessAttempt.objects.create(**login, path_info="/admin/login/", failures_since_start=3)
    AccessFailureLog.objects.create(**login, path_info="/admin/login/")
    AccessLog.objects.create(**login, path_info="/admin/login/")
    client.force_login(administrator)
    client.post(
        reverse("admin:enrollment_importbatch_upload"),
        {
            "file": csv_file([row(), row("12")]),
            "source": "ROSTER",
            "npp": employer.npp,
            "reason": "CONTRACT_ENDED",
        },
    )
    assert ImportBatch.objects.exists()
    client.post(  # BPJS's statement of August 2025 naming a person unknown here: a statement and its lines
        reverse("admin:bpjs_statement_upload"),
        {
            "month": "2025-08",
            "scope": "all",
            "file": statement_file([[factories.make_nik(), "", "", "", "", "aktif", ""]]),
        },
    )
    statement_batch = ImportBatch.objects.get(source=ImportBatch.Source.BPJS_STATEMENT)
    client.post(
        reverse("admin:bpjs_statement_confirm", args=[statement_batch.pk]), {"fill_kpj": "on"}
    )
    assert StatementLine.objects.exists()


# --- The walk -------------------------------------------------------------------------------------------------


def walk(client: Client, user: User, language: str) -> list[str]:
    client.force_login(user)
    # A forced login has no request: axes logs its browser and path as "<unknown>", a real login never.
    AccessLog.objects.filter(path_info="<unknown>").update(
        user_agent="Firefox", path_info="/admin/login/"
    )
    client.cookies["django_language"] = language
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    rules = rules_for(language)
    pages = [(name, client.get(path)) for name, path in admin_pages()]
    pages += [
        (name, client.get(path)) for name, path in filtered_and_searched_changelists(client, user)
    ]
    pages += action_confirmations(client, user)
    pages_with: dict[str, list[str]] = {}
    walked = 0
    # A page that breaks must not drop out of the walk: an error, or a page the administrator cannot find (a
    # refusal, 403, is the permissions' answer to a page of a read-only model; 405 to a POST-only view).
    broken = {404} if user_has_role(user, Role.ADMINISTRATOR) else set()
    for name, response in pages:
        status = response.status_code
        if status >= 500 or status in broken:
            pages_with.setdefault(f"status {status}", []).append(name)
        if status != 200 or "html" not in response.get("Content-Type", ""):
            continue
        walked += 1
        for text in visible_texts(response.content.decode()):
            if RAW_JSON.match(text):
                pages_with.setdefault(f"raw JSON: {text[:60]}", []).append(name)
            text = HEX_TOKEN.sub(" ", text)
            for problem in rules.problems(FILE_HEADER.sub("", text)):
                pages_with.setdefault(problem, []).append(name)
    assert walked > 40
    return [
        f"{problem} on {len(set(names))} pages, e.g. {names[0]}"
        for problem, names in sorted(pages_with.items())
    ]


@pytest.mark.parametrize("persona", ["operator", "administrator"])
def test_every_admin_page_reads_indonesian_with_indonesian_formats(request, register, persona):
    problems = walk(Client(), request.getfixturevalue(persona), "id")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_menu_names_the_apps_whose_packages_have_no_indonesian(client, administrator):
    client.force_login(administrator)
    texts = visible_texts(client.get(reverse("admin:index")).content.decode())
    assert {
        "Penguncian login",
        "Faktor kedua: aplikasi autentikator",
        "Tugas latar belakang",
    } <= set(texts)
    english = {
        "Axes",
        "Otp_Totp",
        "TOTP devices",
        "Static devices",
        "Tasks Database Backend",
        "Task Results",
    }
    assert not english & set(texts)


def test_every_admin_page_in_english_shows_amounts_and_dates_in_the_clerk_format(
    register, administrator
):
    problems = walk(Client(), administrator, "en")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_money_counts_and_roles_read_as_a_clerk_reads_them(client, register, administrator):
    client.force_login(administrator)
    worker = one_object(Worker)
    worker_page = visible_texts(
        client.get(reverse("admin:enrollment_worker_change", args=[worker.pk])).content.decode()
    )
    estimates = visible_texts(
        client.get(reverse("admin:reports_workforceestimate_changelist")).content.decode()
    )
    roles = visible_texts(client.get(reverse("admin:auth_group_changelist")).content.decode())
    assert {"Rp3.650.000", "Rp8.760", "Rp6.834.122"} <= set(worker_page)
    assert "507.506" in estimates
    assert {"Administrator", "Operator", "Pimpinan", "Pemberi kerja"} <= set(roles)


def test_a_role_groups_pages_name_its_role_and_list_no_links_to_its_permissions(
    client, administrator
):
    group = Group.objects.get(name=Role.ADMINISTRATOR)
    client.force_login(administrator)
    change_page = visible_texts(
        client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
    )
    delete_page = client.get(reverse("admin:auth_group_delete", args=[group.pk])).content.decode()
    assert "› Administrator" in change_page
    assert "administrator" not in change_page
    assert "Group_permissions object" not in delete_page
    assert "User_groups object" not in delete_page
