"""Writes of the kiosk app: kiosks and their secret URLs, heartbeats, tagged visits, campaign links."""

import secrets
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import Bundle
from kiosk.models import KIOSK_TAG_PREFIX, SOURCE_TAG_RE, CampaignLink, Kiosk, KioskBundle, SourceVisit
from municipalities.models import Municipality

KIOSK_FIELDS = {"name", "place", "orientation", "selection", "category", "rotation_seconds", "idle_seconds"}
SOURCE_PATH_MAX = 300


def new_token() -> str:
    """43 URL-safe characters (256 random bits): a screen URL nobody can guess."""
    return secrets.token_urlsafe(32)


def _check_fields(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected kiosk fields: {sorted(unknown)}")


def _set_picks(kiosk: Kiosk, bundles: Sequence[Bundle]) -> None:
    """Replace the hand-picked list, keeping the given order. Another municipality's bundle is refused."""
    if any(bundle.municipality_id != kiosk.municipality_id for bundle in bundles):
        raise ValidationError({"bundles": _("이 지자체의 꾸러미만 고를 수 있습니다.")})
    KioskBundle.objects.filter(kiosk=kiosk).delete()
    seen: set[int] = set()
    picks = []
    for bundle in bundles:
        if bundle.pk in seen:
            continue
        seen.add(bundle.pk)
        picks.append(
            KioskBundle(municipality_id=kiosk.municipality_id, kiosk=kiosk, bundle=bundle, position=len(picks))
        )
    KioskBundle.objects.bulk_create(picks)


def _clean(kiosk: Kiosk, *, has_picks: bool) -> None:
    if kiosk.selection != Kiosk.Selection.CATEGORY:
        kiosk.category = ""
    errors = {}
    if kiosk.selection == Kiosk.Selection.CATEGORY and not kiosk.category:
        errors["category"] = _("보여 줄 분류를 고르세요.")
    if kiosk.selection == Kiosk.Selection.HAND_PICKED and not has_picks:
        errors["bundles"] = _("보여 줄 꾸러미를 하나 이상 고르세요.")
    if errors:
        raise ValidationError(errors)
    kiosk.full_clean(exclude=["municipality", "token"])


@transaction.atomic
def kiosk_create(
    *,
    municipality: Municipality,
    acting_user: User | None,
    bundles: Sequence[Bundle] = (),
    **fields,
) -> Kiosk:
    """Register a kiosk with a fresh secret URL. `fields` are the Kiosk's settings (KIOSK_FIELDS)."""
    _check_fields(fields, KIOSK_FIELDS)
    kiosk = Kiosk(
        municipality=municipality,
        token=new_token(),
        token_issued_at=timezone.now(),
        created_by=acting_user,
        **fields,
    )
    _clean(kiosk, has_picks=bool(bundles))
    kiosk.save()
    _set_picks(kiosk, list(bundles))
    return kiosk


@transaction.atomic
def kiosk_update(
    *,
    kiosk: Kiosk,
    acting_user: User | None,
    bundles: Sequence[Bundle] | None = None,
    is_active: bool | None = None,
    **fields,
) -> Kiosk:
    """Change a kiosk's settings; `bundles` (when given) replaces the hand-picked list. Locks the row so
    two staff saving at once do not interleave the picks."""
    _check_fields(fields, KIOSK_FIELDS)
    locked = Kiosk.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=kiosk.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    if is_active is not None:
        locked.is_active = is_active
    picks = list(bundles) if bundles is not None else None
    has_picks = bool(picks) if picks is not None else KioskBundle.objects.filter(kiosk=locked).exists()
    _clean(locked, has_picks=has_picks)
    locked.save()
    if picks is not None:
        _set_picks(locked, picks)
    return locked


@transaction.atomic
def kiosk_token_reissue(*, kiosk: Kiosk, acting_user: User | None) -> Kiosk:
    """Give the kiosk a new secret URL. The old token stops matching at once (its URL, content, heartbeat
    and service worker answer 404); a revoked URL comes back to life only this way, under a new token."""
    locked = Kiosk.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=kiosk.pk)
    locked.token = new_token()
    locked.token_issued_at = timezone.now()
    locked.token_revoked_at = None
    locked.last_heartbeat_at = None  # the silence warning now tracks the screen opened at the new URL
    locked.save(update_fields=["token", "token_issued_at", "token_revoked_at", "last_heartbeat_at", "updated_at"])
    return locked


@transaction.atomic
def kiosk_token_revoke(*, kiosk: Kiosk, acting_user: User | None) -> Kiosk:
    """Make the kiosk's URL stop working (a lost or stolen screen). Repeating it changes nothing."""
    locked = Kiosk.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=kiosk.pk)
    if locked.token_revoked_at is not None:
        return locked
    locked.token_revoked_at = timezone.now()
    locked.save(update_fields=["token_revoked_at", "updated_at"])
    return locked


def kiosk_heartbeat(*, kiosk: Kiosk, at: datetime | None = None) -> None:
    """Record that the screen called in: one UPDATE, no read-modify-write, harmless to repeat."""
    Kiosk.objects.filter(pk=kiosk.pk).update(last_heartbeat_at=at or timezone.now())


def session_hash(session_key: str) -> str:
    """A keyed hash of the session key: tells visits of one browser apart without keeping the key."""
    if not session_key:
        return ""
    return salted_hmac("kiosk.SourceVisit.session", session_key, algorithm="sha256").hexdigest()[:32]


def source_visit_record(
    *, municipality: Municipality, source: str, path: str, session_key: str = "", at: datetime | None = None
) -> SourceVisit | None:
    """Count one tagged page view (one INSERT). A tag that is not `[A-Za-z0-9_-]{1,60}` is ignored.
    The once-per-session-per-hour rule is the caller's (kiosk.middleware), which knows the session."""
    if not SOURCE_TAG_RE.fullmatch(source or ""):
        return None
    return SourceVisit.objects.create(
        municipality=municipality,
        source=source,
        path=path[:SOURCE_PATH_MAX],
        session_hash=session_hash(session_key),
        created_at=at or timezone.now(),
    )


def _campaign_tag() -> str:
    return f"campaign-{secrets.token_hex(4)}"


@transaction.atomic
def campaign_link_create(
    *, municipality: Municipality, acting_user: User | None, label: str, target_path: str, tag: str = ""
) -> CampaignLink:
    """A campaign tag for a banner, post or pamphlet, opening `target_path` (a page of this municipality).
    Without a tag one is made up. `kiosk-…` tags belong to kiosks and are refused, as is a tag in use."""
    tag = (tag or "").strip()
    if tag.lower().startswith(KIOSK_TAG_PREFIX):
        raise ValidationError({"tag": _("'kiosk-'로 시작하는 태그는 키오스크가 씁니다. 다른 태그를 정하세요.")})
    if not target_path.startswith(f"/{municipality.slug}/"):
        raise ValidationError({"target_path": _("이 지자체 몰의 페이지만 고를 수 있습니다.")})
    link = CampaignLink(
        municipality=municipality,
        tag=tag or _campaign_tag(),
        label=label.strip(),
        target_path=target_path,
        created_by=acting_user,
    )
    link.full_clean(exclude=["municipality"])
    if CampaignLink.objects.for_tenant(municipality).filter(tag=link.tag).exists():
        raise ValidationError({"tag": _("이미 쓰고 있는 태그입니다. 다른 태그를 정하세요.")})
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as error:  # the same tag saved a moment ago by someone else
        raise ValidationError({"tag": _("이미 쓰고 있는 태그입니다. 다른 태그를 정하세요.")}) from error
    return link
