"""Lambda packages: which files go into each zip, decided in one place.

The program wraps these in a Pulumi AssetArchive; the integration tests and benchmarks build the same
zip on disk, so what they exercise is what deploys.
"""

import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
API_SOURCE = ROOT / "functions" / "api"
EDGE_SOURCE = ROOT / "functions" / "edge"
PROBE_SOURCE = ROOT / "functions" / "probe"

# Only source files travel: no caches, tests or requirements files.
_INCLUDED_SUFFIXES = (".py", ".json")


def package_files(source_dir: Path, package_name: str) -> dict[str, Path]:
    """Archive path -> file on disk, with the sources under `package_name/`, sorted."""
    files = {}
    for path in sorted(source_dir.rglob("*")):
        if path.is_file() and path.suffix in _INCLUDED_SUFFIXES and "__pycache__" not in path.parts:
            files[f"{package_name}/{path.relative_to(source_dir).as_posix()}"] = path
    return files


def build_zip(source_dir: Path, package_name: str, extra: dict[str, str] | None = None) -> bytes:
    """The package as zip bytes (deterministic timestamps), plus `extra` generated files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = {name: path.read_bytes() for name, path in package_files(source_dir, package_name).items()}
        entries.update({name: text.encode() for name, text in (extra or {}).items()})
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name], compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
