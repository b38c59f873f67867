"""Forms of the kiosk staff pages. They parse what staff type; kiosk.services writes."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bundles.models import Bundle, Category
from core.forms import KrdsFormMixin
from kiosk.models import Kiosk, validate_source_tag
from municipalities.models import Municipality

HOME = "home"


class KrdsRadioSelect(forms.RadioSelect):
    """KRDS hides native radio buttons and draws them on the label that follows the input."""

    template_name = "kiosk/staff/partials/_choice_select.html"
    option_template_name = "kiosk/staff/partials/_choice_option.html"


class KrdsCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    template_name = "kiosk/staff/partials/_choice_select.html"
    option_template_name = "kiosk/staff/partials/_choice_option.html"


class BundleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, bundle: Bundle) -> str:
        if not bundle.hero_image:
            return _("%(name)s (대표 사진이 없어 화면에 나오지 않음)") % {"name": bundle.name}
        return bundle.name


class KioskForm(KrdsFormMixin, forms.Form):
    name = forms.CharField(label=_("키오스크 이름"), max_length=60, help_text=_("예: 시청 1층 구독경제 홍보관"))
    place = forms.CharField(label=_("설치 장소"), max_length=100, help_text=_("예: 하동군청 1층 로비"))
    orientation = forms.ChoiceField(
        label=_("화면 방향"), choices=Kiosk.Orientation.choices, widget=KrdsRadioSelect, initial="landscape"
    )
    selection = forms.ChoiceField(
        label=_("보여 줄 꾸러미"), choices=Kiosk.Selection.choices, widget=KrdsRadioSelect, initial="featured"
    )
    category = forms.ChoiceField(
        label=_("분류"),
        required=False,
        choices=[("", _("분류 고르기")), *Category.choices],
        help_text=_("'한 분류의 꾸러미'를 고른 경우에만 씁니다."),
    )
    bundles = BundleChoiceField(
        label=_("직접 고른 꾸러미"),
        required=False,
        queryset=Bundle.objects.none(),
        widget=KrdsCheckboxSelectMultiple,
        help_text=_("'직접 고른 꾸러미'를 고른 경우에만 씁니다. 판매 중인 꾸러미만 보입니다."),
    )
    rotation_seconds = forms.IntegerField(
        label=_("넘김 간격(초)"),
        min_value=3,
        max_value=120,
        initial=12,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    idle_seconds = forms.IntegerField(
        label=_("자동 복귀(초)"),
        min_value=10,
        max_value=600,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("손님이 둘러보다 이 시간 동안 손대지 않으면 처음 화면으로 돌아갑니다."),
    )
    is_active = forms.BooleanField(label=_("사용 중"), required=False, initial=True)

    def __init__(self, *args, pickable: "forms.QuerySet[Bundle]", with_active: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bundles"].queryset = pickable
        if not with_active:
            del self.fields["is_active"]

    @classmethod
    def initial_for(cls, kiosk: Kiosk, picked_ids: list[int]) -> dict:
        return {
            "name": kiosk.name,
            "place": kiosk.place,
            "orientation": kiosk.orientation,
            "selection": kiosk.selection,
            "category": kiosk.category,
            "bundles": picked_ids,
            "rotation_seconds": kiosk.rotation_seconds,
            "idle_seconds": kiosk.idle_seconds,
            "is_active": kiosk.is_active,
        }

    def clean(self) -> dict:
        data = super().clean()
        selection = data.get("selection")
        if selection == Kiosk.Selection.CATEGORY and not data.get("category"):
            self.add_error("category", _("보여 줄 분류를 고르세요."))
        if selection == Kiosk.Selection.HAND_PICKED and not data.get("bundles"):
            self.add_error("bundles", _("보여 줄 꾸러미를 하나 이상 고르세요."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            name: data[name]
            for name in ("name", "place", "orientation", "selection", "category", "rotation_seconds", "idle_seconds")
        }
        kwargs["bundles"] = list(data["bundles"]) if data["selection"] == Kiosk.Selection.HAND_PICKED else []
        if "is_active" in self.fields:
            kwargs["is_active"] = data["is_active"]
        return kwargs


class CampaignLinkForm(KrdsFormMixin, forms.Form):
    label = forms.CharField(
        label=_("이름"), max_length=80, help_text=_("무엇에 쓰는 링크인지 알 수 있게 적으세요. 예: 11월 군청 소식지")
    )
    target = forms.ChoiceField(
        label=_("여는 페이지"),
        help_text=_("구독 페이지를 열어야 그 링크로 시작한 구독이 집계됩니다."),
    )
    tag = forms.CharField(
        label=_("유입 태그 (선택)"),
        max_length=60,
        required=False,
        validators=[validate_source_tag],
        help_text=_("영문, 숫자, -, _ 만 씁니다. 예: newsletter-2026-11. 비우면 자동으로 만듭니다."),
    )

    def __init__(self, *args, municipality: Municipality, bundles: list[Bundle], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.bundles = {str(bundle.pk): bundle for bundle in bundles}
        self.fields["target"].choices = [
            (_("몰"), [(HOME, _("몰 첫 화면"))]),
            (_("꾸러미 구독 페이지"), [(f"subscribe:{pk}", bundle.name) for pk, bundle in self.bundles.items()]),
            (_("꾸러미 소개 페이지"), [(f"detail:{pk}", bundle.name) for pk, bundle in self.bundles.items()]),
        ]

    def target_path(self) -> str:
        target = self.cleaned_data["target"]
        slug = self.municipality.slug
        if target == HOME:
            return reverse("bundles:storefront", kwargs={"municipality_slug": slug})
        kind, _sep, pk = target.partition(":")
        bundle = self.bundles[pk]
        url_name = "subscriptions:checkout" if kind == "subscribe" else "bundles:detail"
        return reverse(url_name, kwargs={"municipality_slug": slug, "bundle_slug": bundle.slug})

    def service_kwargs(self) -> dict:
        return {
            "label": self.cleaned_data["label"],
            "tag": self.cleaned_data["tag"],
            "target_path": self.target_path(),
        }
