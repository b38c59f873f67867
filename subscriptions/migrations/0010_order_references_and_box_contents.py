"""Orders carry no row-by-row foreign-key checks, and box contents are kept once per (cycle, bundle).

Cycle close inserts a whole cycle's orders in one INSERT … SELECT. Row-by-row foreign keys checked every
order's municipality, subscription and cycle one index probe at a time (100,000 orders: 300,000 probes,
each locking the referenced row; half of the close's time). That statement takes all three from the very
rows it joins (the subscription, and the cycle row it holds locked), and it is the only writer of orders,
so the references are right by construction when they are written. What remains to guard is that they
stay right, on PostgreSQL:

- an order's municipality, subscription and cycle never change (refused before any UPDATE that would);
- a subscription or a cycle that has orders cannot be deleted (refused before the DELETE). A municipality
  with orders has subscriptions, whose own foreign key keeps it.

(A statement-level check of the inserted rows was measured too: its transition table of every new order
costs a quarter of the close.) SQLite (the demo) keeps no such checks, like the ledger's triggers.

Also:
- partial indexes on the few subscriptions cycle close counts down or resumes (paused, prepaid boxes
  left, promo boxes left);
- in place of the municipality's index on orders, partial indexes that hold no order cycle close makes
  (a municipality's payments by date; its orders that need staff's attention);
- order items, now written one paid order at a time, check their product and merchant again.
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION subscriptions_order_owner_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.municipality_id IS DISTINCT FROM OLD.municipality_id
       OR NEW.subscription_id IS DISTINCT FROM OLD.subscription_id
       OR NEW.cycle_id IS DISTINCT FROM OLD.cycle_id THEN
        RAISE EXCEPTION 'order %: its municipality, subscription and cycle never change', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscriptions_order_owner_fixed BEFORE UPDATE OF municipality_id, subscription_id, cycle_id
    ON subscriptions_order FOR EACH ROW EXECUTE FUNCTION subscriptions_order_owner_fixed();

CREATE OR REPLACE FUNCTION subscriptions_keep_ordered() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'subscriptions_subscription'
       AND EXISTS (SELECT 1 FROM subscriptions_order o WHERE o.subscription_id = OLD.id) THEN
        RAISE EXCEPTION 'subscription % has orders and cannot be deleted', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_TABLE_NAME = 'subscriptions_deliverycycle'
       AND EXISTS (SELECT 1 FROM subscriptions_order o WHERE o.cycle_id = OLD.id) THEN
        RAISE EXCEPTION 'delivery cycle % has orders and cannot be deleted', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscriptions_subscription_keep_ordered BEFORE DELETE ON subscriptions_subscription
    FOR EACH ROW EXECUTE FUNCTION subscriptions_keep_ordered();
CREATE TRIGGER subscriptions_deliverycycle_keep_ordered BEFORE DELETE ON subscriptions_deliverycycle
    FOR EACH ROW EXECUTE FUNCTION subscriptions_keep_ordered();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS subscriptions_order_owner_fixed ON subscriptions_order;
DROP TRIGGER IF EXISTS subscriptions_subscription_keep_ordered ON subscriptions_subscription;
DROP TRIGGER IF EXISTS subscriptions_deliverycycle_keep_ordered ON subscriptions_deliverycycle;
DROP FUNCTION IF EXISTS subscriptions_order_owner_fixed();
DROP FUNCTION IF EXISTS subscriptions_keep_ordered();
"""


def _run(schema_editor, sql: str) -> None:
    # A plain cursor without parameters: the RAISE messages' % placeholders are PL/pgSQL's, not ours.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("bundles", "0001_initial"),
        ("municipalities", "0003_shortfall_policy_and_logistics_center"),
        ("subscriptions", "0009_refund_created_from_billing_clock"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="cycle",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="subscriptions.deliverycycle",
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="municipality",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="municipalities.municipality",
                verbose_name="지자체",
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="subscriber",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="subscriptions.subscriber",
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="subscription",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="subscriptions.subscription",
            ),
        ),
        migrations.CreateModel(
            name="BoxContent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("product_name", models.CharField(max_length=80)),
                ("quantity", models.PositiveSmallIntegerField()),
                ("supply_price_won", models.PositiveIntegerField()),
                ("tax_type", models.CharField(max_length=10)),
                (
                    "bundle",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="bundles.bundle",
                    ),
                ),
                (
                    "cycle",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="box_contents",
                        to="subscriptions.deliverycycle",
                    ),
                ),
                (
                    "merchant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="bundles.merchant",
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="municipalities.municipality",
                        verbose_name="지자체",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="bundles.product",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("cycle", "bundle", "product"), name="box_content_unique_product")
                ],
            },
        ),
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(
                condition=models.Q(("status", "paused")), fields=["municipality"], name="subscription_paused"
            ),
        ),
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(
                condition=models.Q(("prepaid_boxes_remaining__gt", 0)),
                fields=["municipality"],
                name="subscription_prepaid_left",
            ),
        ),
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(
                condition=models.Q(("promo_boxes_remaining__gt", 0)),
                fields=["municipality"],
                name="subscription_promo_left",
            ),
        ),
        migrations.AlterField(
            model_name="orderitem",
            name="merchant",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="bundles.merchant"
            ),
        ),
        migrations.AlterField(
            model_name="orderitem",
            name="product",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="bundles.product"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("paid_at__isnull", False)), fields=["municipality", "paid_at"], name="order_paid_on"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("status__in", ["failed", "requires_action", "canceled"])),
                fields=["municipality", "status"],
                name="order_needs_attention",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
