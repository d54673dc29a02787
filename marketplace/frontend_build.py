"""How the production build splits the app's JavaScript into files.

Rollup (rolldown in Reflex's Vite) gives every module that several importers
share a file of its own: each Radix component, each lucide icon, each small
helper. A signed-in page of this app loaded 22-27 script files where a blank
Reflex page loads 9, each a separate request to the one Python worker that
serves `/assets`, and the page's scripts finished 90-210 ms after the blank
page's although the bytes were only 1.1x (benchmarks/README.md, "Pages").

`SharedUiChunk` adds one group to the build's `codeSplitting`: every
third-party module goes into one `shared-ui` file, except the chart library
and its dependencies, which only the profile and wallet pages draw and which
would otherwise come with every page (107 KB compressed). A page then loads
7-8 files. A rare page's Radix component now comes with every page; that
costs a few KB, measured in benchmarks/pages.py.

Reflex writes `vite.config.js` itself on every compile and has no setting for
this, so the plugin edits the text Reflex wrote. If a Reflex upgrade changes
that text, the build stops with a message rather than quietly going back to
two dozen files.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

VITE_CONFIG = "vite.config.js"

# Modules only the charts need: recharts and what it brings.
CHART_ONLY = (
    "recharts",
    "d3-",
    "victory-vendor",
    "@reduxjs",
    "redux",
    "react-redux",
    "reselect",
    "immer",
    "es-toolkit",
    r"decimal\.js-light",
    "eventemitter3",
    "use-sync-external-store",
    "internmap",
)

# Reflex's own group, after which ours goes.
_ANCHOR = 'name: "reflex-env",\n            },'

_SHARED_UI_GROUP = """
            {{
              // marketplace/frontend_build.py: one file for the shared UI
              name: "shared-ui",
              test: (id) =>
                /[\\\\/]node_modules[\\\\/]/.test(id) &&
                !/[\\\\/]node_modules[\\\\/]({excluded})/.test(id),
            }},"""


def with_shared_ui_chunk(vite_config: str) -> str:
    """The Vite config Reflex wrote, with the shared-ui group added once."""
    if 'name: "shared-ui"' in vite_config:
        return vite_config
    if vite_config.count(_ANCHOR) != 1:
        msg = (
            "marketplace/frontend_build.py: Reflex's vite.config.js no longer has "
            "its reflex-env code-splitting group where expected; update "
            "SharedUiChunk for this Reflex version"
        )
        raise RuntimeError(msg)
    group = _SHARED_UI_GROUP.format(excluded="|".join(CHART_ONLY))
    return vite_config.replace(_ANCHOR, _ANCHOR + group)


class SharedUiChunk(rx.plugins.Plugin):
    """Puts the third-party UI code every page shares into one script file."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](VITE_CONFIG, with_shared_ui_chunk)
