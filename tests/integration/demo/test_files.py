"""The demo's data files (marketplace/demo/data/): read from the package into
the demo's records, every file in use, a malformed record refused at once."""

import re
from importlib import resources

import pytest

from marketplace.demo import files, graph, ious, karma, market, members

READERS = ("members", "karma", "market", "ious", "graph", "integrity")


def test_the_data_files_hold_the_demo_logins_and_scenes():
    emails = [m.email for m in members.DEMO_MEMBERS]
    assert emails == [
        "priya@example.com",
        "marcus@example.com",
        "lena@example.com",
        "ops@example.com",
    ]
    assert [m.handle for m in members.DEMO_MEMBERS if m.is_operator] == ["ops"]
    assert [m.kind for m in karma.WRITTEN_MOVES[:3]] == ["grant", "grant", "hold"]
    assert len(market.DEMO_SCENES) == 23 and len(market.CATALOG) == 60
    assert len(graph.DEMO_CONTEXTS) == 7 and len(graph.DEMO_GROUPS) == 2
    assert len(ious.DEMO_IOUS) == 7 and len(ious.LOOP_NOTES) == 2


def test_every_shipped_data_file_is_read_by_a_demo_module():
    demo = resources.files("marketplace.demo")
    code = "".join((demo / f"{name}.py").read_text() for name in READERS)
    read = set(re.findall(r'read_(?:json|csv)\("([^"]+)"\)', code))
    shipped = {f.name for f in files.DATA.iterdir() if f.name != "README.md"}
    assert read == shipped


def test_a_record_with_an_unknown_field_is_refused():
    row = {"name": "x", "slug": "x", "description": "", "creator": "priya"}
    with pytest.raises(TypeError, match="colour"):
        graph._demo_group({**row, "domains": [], "colour": "red"})


def test_csv_numbers_read_as_json_would():
    assert (files.number("540"), files.number("236.4")) == (540, 236.4)
    assert isinstance(files.number("0"), int)
