from django.db import migrations, models


def copy_ship_date(apps, schema_editor):
    DeliveryCycle = apps.get_model("subscriptions", "DeliveryCycle")
    DeliveryCycle.objects.update(scheduled_for=models.F("ship_date"))


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0002_gatewayevent_order_orderitem_paymentattempt_refund_and_more")]

    operations = [
        migrations.AddField(
            model_name="deliverycycle", name="scheduled_for", field=models.DateField(null=True, verbose_name="달력상 발송일")
        ),
        migrations.RunPython(copy_ship_date, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deliverycycle", name="scheduled_for", field=models.DateField(verbose_name="달력상 발송일")
        ),
        migrations.AddConstraint(
            model_name="deliverycycle",
            constraint=models.UniqueConstraint(
                fields=("municipality", "cadence", "scheduled_for"), name="cycle_unique_scheduled_date"
            ),
        ),
    ]
