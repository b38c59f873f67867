"""Serve a chosen set of front-end files straight out of node_modules.

The npm packages are installed from the committed package.json/package-lock.json and never copied into
the repository; this finder exposes only the files the site uses (pretendard-gov alone is ~200 MB), so
`collectstatic` copies a few megabytes, not all of node_modules.
"""

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# static prefix -> directory inside node_modules (the whole directory is served under the prefix)
NPM_DIRECTORIES: dict[str, str] = {
    # KRDS icons, referenced by the stylesheet as url(../../img/...): css/ and img/ stay side by side.
    "vendor/krds/img": "krds-uiux/resources/img",
}
# static path -> file inside node_modules
NPM_FILES: dict[str, str] = {
    # output.css is KRDS common + tokens + every component; component.css alone links icons that don't exist.
    "vendor/krds/css/component/output.css": "krds-uiux/resources/css/component/output.css",
    "vendor/krds/css/component/output.css.map": "krds-uiux/resources/css/component/output.css.map",
    "vendor/krds/css/token/krds_tokens.css": "krds-uiux/resources/css/token/krds_tokens.css",
    "vendor/chartjs/chart.umd.min.js.map": "chart.js/dist/chart.umd.min.js.map",
    "vendor/krds/js/ui-script.js": "krds-uiux/resources/js/component/ui-script.js",
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/chartjs/chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    # The partner portal's in-page QR scanner (tourism): reads camera frames in the browser.
    "vendor/jsqr/jsQR.js": "jsqr/dist/jsQR.js",
    **{
        f"vendor/pretendard/PretendardGOV-{weight}.subset.woff2": (
            f"pretendard-gov/dist/web/static/woff2-subset/PretendardGOV-{weight}.subset.woff2"
        )
        for weight in ("Regular", "Medium", "Bold")
    },
}


class _PrefixedStorage(FileSystemStorage):
    prefix: str


def _storage(root: Path, prefix: str) -> _PrefixedStorage:
    storage = _PrefixedStorage(location=str(root))
    storage.prefix = prefix
    return storage


class NpmFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        self.root: Path = Path(settings.NODE_MODULES)

    def check(self, **kwargs) -> list[Error]:
        missing = [rel for rel in [*NPM_DIRECTORIES.values(), *NPM_FILES.values()] if not (self.root / rel).exists()]
        if not missing:
            return []
        return [
            Error(
                f"Front-end packages are missing from {self.root}: {', '.join(missing)}",
                hint="Run `npm ci` in the project directory.",
                id="config.E001",
            )
        ]

    def find(self, path: str, find_all: bool = False, **kwargs) -> str | list[str]:
        found = self._resolve(path)
        if found is None:
            return [] if find_all else ""
        return [found] if find_all else found

    def _resolve(self, path: str) -> str | None:
        if path in NPM_FILES:
            candidate = self.root / NPM_FILES[path]
            return str(candidate) if candidate.is_file() else None
        for prefix, directory in NPM_DIRECTORIES.items():
            if path.startswith(prefix + "/"):
                base = (self.root / directory).resolve()
                candidate = (base / path[len(prefix) + 1 :]).resolve()
                if candidate.is_file() and base in candidate.parents:
                    return str(candidate)
        return None

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        for prefix, directory in NPM_DIRECTORIES.items():
            root = self.root / directory
            storage = _storage(root, prefix)
            for file in sorted(root.rglob("*")):
                if file.is_file():
                    yield str(file.relative_to(root)), storage
        for static_path, rel in NPM_FILES.items():
            file = self.root / rel
            storage = _storage(file.parent, str(Path(static_path).parent))
            yield file.name, storage
