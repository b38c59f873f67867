"""Forms render with KRDS markup (form-group / form-tit / form-conts) through one renderer."""

from django import forms
from django.forms.renderers import TemplatesSetting


class KrdsFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


_WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxInput, "krds-form-check-input"),
    (forms.RadioSelect, ""),
    (forms.CheckboxSelectMultiple, ""),
    (forms.Select, "krds-form-select"),
    (forms.Textarea, "krds-input"),
    (forms.ClearableFileInput, "krds-input"),
    (forms.widgets.Input, "krds-input"),
]


class KrdsFormMixin:
    """Adds the KRDS class to each widget and marks invalid fields for screen readers."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for widget_type, css_class in _WIDGET_CLASSES:
                if isinstance(field.widget, widget_type):
                    if css_class:
                        field.widget.attrs.setdefault("class", css_class)
                    break

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
