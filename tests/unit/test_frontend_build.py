"""The production build's shared-ui chunk: added to the config Reflex writes,
once, leaving the charts out, and refused loudly when Reflex's text moves."""

from __future__ import annotations

import re
import subprocess

import pytest
from reflex.compiler import templates

from marketplace.frontend_build import with_shared_ui_chunk


def reflex_vite_config() -> str:
    """The vite.config.js this Reflex version writes for a production build."""
    return templates.vite_config_template(
        base="/",
        hmr=False,
        force_full_reload=False,
        experimental_hmr=False,
        sourcemap=False,
    )


def test_the_group_goes_after_reflexs_own_and_only_once():
    config = with_shared_ui_chunk(reflex_vite_config())

    assert config.count('name: "shared-ui"') == 1
    assert config.index('name: "reflex-env"') < config.index('name: "shared-ui"')
    assert with_shared_ui_chunk(config) == config


def captured_by_shared_ui(module_path: str) -> bool:
    """What the group's test function says of a module, its two regular
    expressions read back from the config (JS and Python agree on them)."""
    config = with_shared_ui_chunk(reflex_vite_config())
    group = config[config.index('name: "shared-ui"') :]
    wanted, excluded = re.findall(r"/(\[.*?)/\.test\(id\)", group)[:2]
    return bool(re.search(wanted, module_path)) and not re.search(excluded, module_path)


@pytest.mark.parametrize(
    ("module_path", "shared"),
    [
        ("/app/.web/node_modules/@radix-ui/themes/dist/esm/dialog.js", True),
        ("/app/.web/node_modules/lucide-react/dist/esm/icons/star.js", True),
        ("/app/.web/node_modules/recharts/es6/chart/BarChart.js", False),
        ("/app/.web/node_modules/d3-scale/src/linear.js", False),
        ("/app/.web/node_modules/decimal.js-light/decimal.mjs", False),
        ("/app/.web/app/routes/[network]._index.jsx", False),
    ],
)
def test_the_chart_library_stays_out_of_the_file_every_page_loads(module_path, shared):
    assert captured_by_shared_ui(module_path) is shared


def test_the_edited_config_is_still_valid_javascript(tmp_path):
    path = tmp_path / "vite.config.mjs"
    path.write_text(with_shared_ui_chunk(reflex_vite_config()))

    checked = subprocess.run(
        ["node", "--check", str(path)], capture_output=True, text=True
    )

    assert checked.returncode == 0, checked.stderr


def test_a_reflex_that_moved_its_groups_stops_the_build_with_a_reason():
    with pytest.raises(RuntimeError, match="update SharedUiChunk"):
        with_shared_ui_chunk("export default defineConfig({});")
