"""benchmarks/pages.py's figures: compressed sizes, the steps of a page's time
to content, and the verdict against the blank app."""

import gzip
import importlib.util
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "pages.py"
spec = importlib.util.spec_from_file_location("pages_benchmark", PATH)
pages = importlib.util.module_from_spec(spec)
sys.modules.setdefault(spec.name, pages)  # its dataclasses look it up there
spec.loader.exec_module(pages)


def test_gzip_size_is_the_size_of_the_body_gzipped_the_same_way_every_time():
    body = b"export const a = 1;\n" * 500
    assert pages.gzip_size(body) == pages.gzip_size(body)
    assert pages.gzip_size(body) == len(gzip.compress(body, 6, mtime=0))
    assert pages.gzip_size(body) < len(body) / 10


def test_the_four_steps_add_up_to_the_time_to_content():
    probe = {"socket": 200.0, "sent": 260.0, "data": 300.0, "content": 350.0}
    steps = pages.phases(probe)
    assert steps == {"scripts": 200.0, "connect": 60.0, "server": 40.0, "render": 50.0}
    assert sum(steps.values()) == probe["content"]


def test_no_steps_when_a_mark_is_missing_or_out_of_order():
    assert (
        pages.phases({"socket": 200.0, "sent": None, "data": 300.0, "content": 1}) == {}
    )
    assert (
        pages.phases({"socket": 200.0, "sent": 260.0, "data": 400.0, "content": 350.0})
        == {}
    )


def _measured(target, js: int, times: list[float]):
    m = pages.Measured(target, "http://localhost:1")
    m.scripts = {"/assets/a.js": (js * 3, js, js)}
    m.content_ms = list(times)
    m.heading_ms = [t / 2 for t in times]
    return m


def test_a_page_passes_at_one_and_a_half_times_the_blank_app_and_not_above():
    blank = _measured(pages.BLANK, 1000, [100.0, 300.0, 200.0])  # median 200
    fine = _measured(pages.PAGES[0], 1500, [250.0, 300.0, 900.0])  # median 300
    heavy = _measured(pages.PAGES[1], 1600, [300.0])
    slow = _measured(pages.PAGES[2], 1000, [301.0])

    summary = pages.summarize([blank, fine])
    assert summary["ok"] is True
    row = summary["pages"][0]
    assert (row["js_ratio"], row["time_ratio"]) == (1.5, 1.5)
    assert row["time_ratio_to_heading"] == 3.0  # over the blank heading's 100 ms

    summary = pages.summarize([blank, heavy, slow])
    assert summary["ok"] is False
    assert [(r["js_ok"], r["time_ok"]) for r in summary["pages"]] == [
        (False, True),
        (True, False),
    ]
