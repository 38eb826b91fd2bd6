from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0018_employer_default_programs"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["segment", "worker"], name="membership_segment_worker_idx"),
        ),
    ]
