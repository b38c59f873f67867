import pytest
from django.core.files.base import ContentFile

from core.images import image_clean


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), "#1F6B45").save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_images_are_served_as_images_only(client, media_root):
    # given: a re-encoded upload on disk, and an HTML file someone managed to place there
    stored = image_clean(ContentFile(png_bytes(), name="x.png"))
    (media_root / "bundles").mkdir()
    (media_root / "bundles" / stored.name).write_bytes(stored.read())
    (media_root / "bundles" / "evil.html").write_text("<script>alert(1)</script>")
    # when
    image = client.get(f"/media/bundles/{stored.name}")
    html = client.get("/media/bundles/evil.html")
    escape = client.get("/media/../config/settings.py")
    # then
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert html.status_code == 404 and escape.status_code == 404


def test_a_file_that_is_not_an_image_is_refused(media_root):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="이미지 파일이 아니거나"):
        image_clean(ContentFile(b"<html><body>hi</body></html>", name="fake.png"))


def test_tiny_images_are_refused(media_root):
    import io

    from django.core.exceptions import ValidationError
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buffer, format="PNG")
    with pytest.raises(ValidationError, match="200~8000"):
        image_clean(ContentFile(buffer.getvalue(), name="tiny.png"))
