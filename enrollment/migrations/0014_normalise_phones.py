"""Phone numbers already stored, in their one stored form (``enrollment.phones``, decision 35).

Only rows not already in that form are read (a regular expression the database applies: the demo data and
numbers entered since are skipped); each is normalised in Python and written back in one statement a batch, without touching
``updated_at`` or writing history (the number is the same, written one way). A value that is no Indonesian phone
number is left as it is and counted. The phones of pending change requests move with it, so that they do not
look stale. Reversing leaves the numbers in their stored form.
"""

from django.core.exceptions import ValidationError
from django.db import migrations

from enrollment.phones import normalize_phone

STORED_FORM = r"^(08[0-9]{8,11}|0[2-79][0-9]{7,9})$"
BATCH = 2_000


def normalise_phones(apps, schema_editor):
    Worker = apps.get_model("enrollment", "Worker")
    to_read = Worker.objects.exclude(phone="").exclude(phone__regex=STORED_FORM).order_by("pk")
    written = left = last = 0
    connection = schema_editor.connection
    table = connection.ops.quote_name(Worker._meta.db_table)
    while rows := list(to_read.filter(pk__gt=last).values_list("pk", "phone")[:BATCH]):
        last = rows[-1][0]
        changed = []
        for pk, phone in rows:
            try:
                changed += (pk, normalize_phone(phone))
            except ValidationError:
                left += 1
        if changed:
            # One statement a batch: PostgreSQL's catalogue checks (migration 0009) run once per statement.
            values = ", ".join(["(%s, %s)"] * (len(changed) // 2))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET phone = v.column2 FROM (VALUES {values}) AS v "  # noqa: S608
                    f"WHERE {table}.id = v.column1",
                    changed,
                )
        written += len(changed) // 2
    ChangeRequest = apps.get_model("enrollment", "PersonalDataChangeRequest")
    for request in ChangeRequest.objects.filter(status="PENDING", changes__has_key="phone"):
        request.changes["phone"] = [_normalised(value) for value in request.changes["phone"]]
        request.save(update_fields=["changes"])
    if written or left:
        print(
            f"\n  Phone numbers: {written} written in the stored form; {left} left as they were "
            "(not an Indonesian phone number: correct them in the admin)."
        )


def _normalised(phone):
    try:
        return normalize_phone(phone)
    except ValidationError:
        return phone


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0013_membership_shares"),
    ]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop)]
