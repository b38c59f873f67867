"""Writes of the catalog. Each service validates, locks what it decides on, and records history."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import (
    Bundle,
    BundleEvent,
    BundleImage,
    BundleItem,
    Merchant,
    MerchantMember,
    Plan,
    Product,
)
from bundles.pricing import coldest
from bundles.publishing import PublishRefused, bundle_publish_problems
from core.images import image_clean
from core.records import fields_only, record_save
from core.transitions import TransitionNotAllowed
from municipalities.models import Municipality, Role
from municipalities.services import membership_grant

MERCHANT_FIELDS = {
    "name",
    "representative",
    "business_registration_number",
    "phone",
    "address",
    "category",
    "story",
    "tax_status",
    "bank_code",
    "account_number",
    "account_holder",
    "is_active",
}
PRODUCT_FIELDS = {
    "sku",
    "name",
    "description",
    "unit",
    "category",
    "storage_class",
    "supply_price_won",
    "tax_type",
    "stock_per_cycle",
    "season_months",
    "is_active",
}
BUNDLE_FIELDS = {"name", "summary", "description", "category", "featured"}
PLAN_FIELDS = {
    "price_won",
    "shipping_fee_won",
    "prepay_3_discount_bp",
    "prepay_6_discount_bp",
    "prepay_12_discount_bp",
    "allow_mid_cycle_start",
    "is_active",
}


# --- Merchants ---------------------------------------------------------------------------------------------
@transaction.atomic
def merchant_create(*, municipality: Municipality, photo=None, **fields) -> Merchant:
    return record_save(Merchant(municipality=municipality), fields=fields, allowed=MERCHANT_FIELDS, photo=photo)


@transaction.atomic
def merchant_update(*, merchant: Merchant, photo=None, **fields) -> Merchant:
    locked = Merchant.objects.select_for_update().get(pk=merchant.pk)
    return record_save(locked, fields=fields, allowed=MERCHANT_FIELDS, photo=photo)


@transaction.atomic
def merchant_member_bind(*, merchant: Merchant, user: User) -> MerchantMember:
    """Let `user` use `merchant`'s portal. Repeating it changes nothing; one person, one merchant per town."""
    membership = membership_grant(municipality=merchant.municipality, user=user, role=Role.MERCHANT)
    binding, _created = MerchantMember.objects.get_or_create(
        membership=membership, defaults={"merchant": merchant, "municipality": merchant.municipality}
    )
    if binding.merchant_id != merchant.pk:
        raise ValueError(_("이 사용자는 이미 다른 소상공인에 연결되어 있습니다."))
    return binding


# --- Products ----------------------------------------------------------------------------------------------
@transaction.atomic
def product_create(*, merchant: Merchant, photo=None, **fields) -> Product:
    product = Product(municipality_id=merchant.municipality_id, merchant=merchant)
    return record_save(product, fields=fields, allowed=PRODUCT_FIELDS, photo=photo)


@transaction.atomic
def product_update(*, product: Product, photo=None, **fields) -> Product:
    locked = Product.objects.select_for_update().get(pk=product.pk)
    record_save(locked, fields=fields, allowed=PRODUCT_FIELDS, photo=photo)
    if "storage_class" in fields:
        bundles_refresh_storage(product_ids=[locked.pk])
    return locked


# --- Bundles -----------------------------------------------------------------------------------------------
def bundle_snapshot(bundle: Bundle) -> dict:
    """What a bundle is made of and costs right now, kept with each history event."""
    items = BundleItem.objects.filter(bundle=bundle).select_related("product").order_by("pk")
    plans = Plan.objects.filter(bundle=bundle).order_by("cadence")
    return {
        "items": [
            {
                "product_id": i.product_id,
                "name": i.product.name,
                "quantity": i.quantity,
                "supply_price_won": i.product.supply_price_won,
            }
            for i in items
        ],
        "plans": [
            {
                "cadence": p.cadence,
                "price_won": p.price_won,
                "shipping_fee_won": p.shipping_fee_won,
                "prepay_discount_bp": {str(t): p.discount_bp(t) for t in (3, 6, 12)},
                "is_active": p.is_active,
            }
            for p in plans
        ],
    }


def _record(bundle: Bundle, kind: str, actor: User | None, note: str = "") -> BundleEvent:
    return BundleEvent.objects.create(
        municipality_id=bundle.municipality_id,
        bundle=bundle,
        kind=kind,
        actor=actor,
        note=note[:200],
        snapshot=bundle_snapshot(bundle),
    )


def _unique_slug(municipality: Municipality, name: str) -> str:
    base = slugify(name, allow_unicode=True)[:70] or "bundle"
    slug, n = base, 2
    while Bundle.objects.for_tenant(municipality).filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def bundles_refresh_storage(*, product_ids: list[int]) -> None:
    """Re-derive the storage class of every bundle containing one of these products (coldest item wins)."""
    for bundle in Bundle.objects.filter(items__product_id__in=product_ids).distinct():
        _refresh_storage(bundle)


def _refresh_storage(bundle: Bundle) -> None:
    classes = BundleItem.objects.filter(bundle=bundle).values_list("product__storage_class", flat=True)
    storage = coldest(classes)
    if storage != bundle.storage_class:
        Bundle.objects.filter(pk=bundle.pk).update(storage_class=storage)
        bundle.storage_class = storage


@transaction.atomic
def bundle_create(
    *,
    municipality: Municipality,
    acting_user: User | None,
    name: str,
    summary: str,
    category: str,
    description: str = "",
    featured: bool = False,
    slug: str | None = None,
) -> Bundle:
    bundle = Bundle(
        municipality=municipality,
        name=name,
        summary=summary,
        category=category,
        description=description,
        featured=featured,
        slug=slug or _unique_slug(municipality, name),
    )
    bundle.full_clean(exclude=["hero_image"])
    bundle.save()
    _record(bundle, BundleEvent.Kind.CREATED, acting_user)
    return bundle


@transaction.atomic
def bundle_update(*, bundle: Bundle, acting_user: User | None, **fields) -> Bundle:
    locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
    changed = {k: v for k, v in fields_only(fields, BUNDLE_FIELDS).items() if getattr(locked, k) != v}
    if not changed:
        return locked
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["hero_image"])
    locked.save()
    _record(locked, BundleEvent.Kind.UPDATED, acting_user, note=", ".join(sorted(changed)))
    return locked


@transaction.atomic
def bundle_set_hero_image(*, bundle: Bundle, upload, acting_user: User | None) -> Bundle:
    locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
    locked.hero_image = image_clean(upload)
    locked.save(update_fields=["hero_image", "updated_at"])
    _record(locked, BundleEvent.Kind.UPDATED, acting_user, note="hero_image")
    return locked


@transaction.atomic
def bundle_add_gallery_image(*, bundle: Bundle, upload, alt: str) -> BundleImage:
    position = BundleImage.objects.filter(bundle=bundle).count()
    return BundleImage.objects.create(
        municipality_id=bundle.municipality_id, bundle=bundle, image=image_clean(upload), alt=alt, position=position
    )


@transaction.atomic
def bundle_set_item(*, bundle: Bundle, product: Product, quantity: int, acting_user: User | None) -> Bundle:
    """Put `quantity` of `product` in the bundle (0 removes it). Setting the same quantity again is a no-op."""
    locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if product.municipality_id != locked.municipality_id:
        raise ValueError("product of another municipality")
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    existing = BundleItem.objects.filter(bundle=locked, product=product).first()
    if existing is None and quantity == 0:
        return locked
    if existing is not None and existing.quantity == quantity:
        return locked
    if quantity == 0:
        existing.delete()
    elif existing is None:
        BundleItem.objects.create(
            municipality_id=locked.municipality_id, bundle=locked, product=product, quantity=quantity
        )
    else:
        BundleItem.objects.filter(pk=existing.pk).update(quantity=quantity)
    _refresh_storage(locked)
    _record(locked, BundleEvent.Kind.ITEMS_CHANGED, acting_user, note=f"{product.name} × {quantity}")
    return locked


@transaction.atomic
def plan_set(*, bundle: Bundle, cadence: str, acting_user: User | None, **fields) -> Plan:
    """Create or change the bundle's plan for `cadence`; the change is recorded with a price snapshot."""
    Bundle.objects.select_for_update().get(pk=bundle.pk)
    plan = Plan.objects.filter(bundle=bundle, cadence=cadence).first() or Plan(
        municipality_id=bundle.municipality_id, bundle=bundle, cadence=cadence
    )
    fields = fields_only(fields, PLAN_FIELDS)
    if plan.pk and all(getattr(plan, k) == v for k, v in fields.items()):
        return plan
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    _record(bundle, BundleEvent.Kind.PLAN_CHANGED, acting_user, note=plan.get_cadence_display())
    return plan


def _move(bundle: Bundle, to: str, acting_user: User | None, kind: str) -> Bundle:
    if to not in Bundle.TRANSITIONS[Bundle.Status(bundle.status)]:
        raise TransitionNotAllowed(
            _("'%(from)s' 상태에서 '%(to)s' 상태로 바꿀 수 없습니다.")
            % {"from": bundle.get_status_display(), "to": Bundle.Status(to).label}
        )
    bundle.status = to
    bundle.status_changed_at = timezone.now()
    bundle.status_changed_by = acting_user
    bundle.save(update_fields=["status", "status_changed_at", "status_changed_by", "updated_at"])
    _record(bundle, kind, acting_user)
    return bundle


@transaction.atomic
def bundle_publish(*, bundle: Bundle, acting_user: User | None, on: date | None = None) -> Bundle:
    """Publish when every publishing rule holds (bundles.publishing); refuse with all reasons otherwise.
    Publishing a published bundle is a no-op."""
    locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if locked.status == Bundle.Status.PUBLISHED:
        return locked
    problems = bundle_publish_problems(locked, on=on or timezone.localdate())
    errors = [p for p in problems if p.is_error]
    if errors:
        raise PublishRefused(errors)
    return _move(locked, Bundle.Status.PUBLISHED, acting_user, BundleEvent.Kind.PUBLISHED)


@transaction.atomic
def bundle_retire(*, bundle: Bundle, acting_user: User | None) -> Bundle:
    locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if locked.status == Bundle.Status.RETIRED:
        return locked
    return _move(locked, Bundle.Status.RETIRED, acting_user, BundleEvent.Kind.RETIRED)


@transaction.atomic
def bundle_unpublish(*, bundle: Bundle, acting_user: User | None) -> Bundle:
    locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if locked.status == Bundle.Status.DRAFT:
        return locked
    return _move(locked, Bundle.Status.DRAFT, acting_user, BundleEvent.Kind.UNPUBLISHED)


@transaction.atomic
def bundle_duplicate(*, bundle: Bundle, acting_user: User | None, name: str) -> Bundle:
    """A seasonal variant: a new draft with the same items, plans and images, linked to its original."""
    copy = bundle_create(
        municipality=bundle.municipality,
        acting_user=acting_user,
        name=name,
        summary=bundle.summary,
        category=bundle.category,
        description=bundle.description,
    )
    copy.hero_image = bundle.hero_image.name
    copy.variant_of = bundle
    copy.storage_class = bundle.storage_class
    copy.save(update_fields=["hero_image", "variant_of", "storage_class"])
    BundleItem.objects.bulk_create(
        BundleItem(municipality_id=copy.municipality_id, bundle=copy, product_id=i.product_id, quantity=i.quantity)
        for i in BundleItem.objects.filter(bundle=bundle)
    )
    plans = []
    for plan in Plan.objects.filter(bundle=bundle):
        plan.pk, plan.bundle = None, copy
        plans.append(plan)
    Plan.objects.bulk_create(plans)
    BundleImage.objects.bulk_create(
        BundleImage(
            municipality_id=copy.municipality_id, bundle=copy, image=g.image.name, alt=g.alt, position=g.position
        )
        for g in BundleImage.objects.filter(bundle=bundle)
    )
    _record(copy, BundleEvent.Kind.DUPLICATED, acting_user, note=_("원본: %(name)s") % {"name": bundle.name})
    return copy
