"""Imported first by every benchmark, run as ``python bench/<name>.py``: that file's folder then
comes first on sys.path, where bench/storage.py would shadow the storage package, so the
repository root (``ROOT``) takes its place."""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))
