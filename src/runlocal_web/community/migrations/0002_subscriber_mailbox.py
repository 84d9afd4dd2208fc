from django.db import migrations, models


def fill_mailboxes(apps, schema_editor):
    """Key existing rows by mailbox. Of several rows for one mailbox, the confirmed (else the
    oldest) keeps it; the others are unsubscribed, so the mailbox gets one digest, not several."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from runlocal_web.community.addresses import parse

    Subscriber = apps.get_model("community", "Subscriber")
    seen: set[str] = set()
    rows = Subscriber.objects.order_by("pk")
    ranked = sorted(rows, key=lambda r: (r.status != "confirmed", r.created_at, r.pk))
    for row in ranked:
        try:
            address = parse(row.email)
        except ValidationError:
            address = None
        if address is None or address.mailbox in seen:
            row.status = "unsubscribed"
            row.unsubscribed_at = row.unsubscribed_at or timezone.now()
            row.save(update_fields=["status", "unsubscribed_at"])
            continue
        seen.add(address.mailbox)
        row.mailbox = address.mailbox
        row.save(update_fields=["mailbox"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="mailbox",
            field=models.CharField(
                blank=True, editable=False, max_length=254, null=True, unique=True
            ),
        ),
        migrations.RunPython(fill_mailboxes, migrations.RunPython.noop),
    ]
