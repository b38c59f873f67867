from django.db import migrations, models


class Migration(migrations.Migration):
    """Each ledger line says how it reads on a statement (settlement.models.Entry). Added before any
    ledger exists outside development: rows written earlier get "sale" (the ledger is append-only, so
    they cannot be corrected in place; re-create a development database instead)."""

    dependencies = [("settlement", "0006_fewer_ledger_indexes")]

    operations = [
        migrations.AddField(
            model_name="postingline",
            name="entry",
            field=models.CharField(
                choices=[("sale", "판매"), ("refund", "환불"), ("adjustment", "조정"), ("redemption", "쿠폰 사용")],
                default="sale",
                max_length=12,
            ),
            preserve_default=False,
        ),
    ]
