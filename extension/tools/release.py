"""Build the Chrome Web Store zip from extension/src: manifest at the root, no docs or dot-files.

Python's zipfile rather than the `zip` binary, so a fresh machine needs nothing extra. Entries are
sorted and dated 1980-01-01, so the same source gives the same bytes.

    python3 extension/tools/release.py [dist/microscout-extension.zip]
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
DEFAULT_OUT = Path("dist") / "microscout-extension.zip"
SKIP_SUFFIXES = {".md", ".map"}
EPOCH = (1980, 1, 1, 0, 0, 0)


def packaged(src: Path = SRC) -> list[Path]:
    """The files that ship: everything but dot-files and docs."""
    def ships(path: Path) -> bool:
        hidden = any(part.startswith(".") for part in path.relative_to(src).parts)
        return path.is_file() and not hidden and path.suffix not in SKIP_SUFFIXES

    return sorted(p for p in src.rglob("*") if ships(p))


def referenced(manifest: dict) -> list[str]:
    """Files the manifest names directly (a missing one makes Chrome refuse the package)."""
    names = [manifest["background"]["service_worker"], manifest["action"]["default_popup"],
             manifest["options_ui"]["page"]]
    names += list(manifest["icons"].values()) + list(manifest["action"].get("default_icon", {}).values())
    names += [js for entry in manifest["content_scripts"] for js in entry["js"]]
    return names


def build(out: Path, src: Path = SRC) -> Path:
    manifest = json.loads((src / "manifest.json").read_text())
    missing = [name for name in referenced(manifest) if not (src / name).is_file()]
    if missing:
        raise SystemExit(f"manifest names missing files: {', '.join(missing)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in packaged(src):
            info = zipfile.ZipInfo(path.relative_to(src).as_posix(), date_time=EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    tmp.replace(out)
    return out


def main(argv: list[str]) -> None:
    out = build(Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT)
    manifest = json.loads((SRC / "manifest.json").read_text())
    print(f"{out} (microscout {manifest['version']}, {out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv)
