"""The demo's literal data: JSON and CSV files in demo/data/ (see its README).

The files are read as package resources, never by a path from the working
directory, so they go wherever the package goes (a checkout, the CLI, the
benchmarks, a wheel or a zip). Each demo module turns them into its own
frozen dataclasses; these readers only parse.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

DATA = resources.files(__package__) / "data"


def read_json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def read_csv(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file with a header line, as dicts of strings."""
    text = (DATA / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def number(text: str) -> int | float:
    """A CSV cell read as JSON would read it: "540" an int, "236.4" a float."""
    return float(text) if "." in text else int(text)
