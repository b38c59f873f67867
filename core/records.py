"""Saving a validated record from a service's keyword arguments, the same way everywhere.

A service names the fields a caller may set; anything else is a programming error (TypeError), not input
to ignore. The record is validated with the model's own rules before it is saved, and an uploaded photo is
re-encoded (core.images) rather than stored as sent.
"""

from django.db import models

from core.images import image_clean


def fields_only(fields: dict, allowed: set[str]) -> dict:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    return fields


def record_save(instance: models.Model, *, fields: dict, allowed: set[str], photo=None) -> models.Model:
    """Set `fields` on `instance` (new, or locked by the caller), validate, attach the re-encoded `photo`
    if one was uploaded, and save. Raises ValidationError and saves nothing when anything is wrong."""
    for name, value in fields_only(fields, allowed).items():
        setattr(instance, name, value)
    instance.full_clean(exclude=["photo"])
    if photo is not None:
        instance.photo = image_clean(photo)
    instance.save()
    return instance
