"""A heartbeat: calls an event handler every few seconds while the page is open.

It is how the navigation's unread badge stays live without a reload. Why a
timer in the browser rather than the alternatives Reflex 0.10 offers:

- Server push (`app.modify_state(token)` when a notification is written)
  needs a map from member to open tabs shared by every worker, and a hook on
  every commit in every process; notifications are also written by the CLI
  and by lifespan tasks, which have no socket to push through.
- A background-task loop per tab (`@rx.event(background=True)`) keeps an
  asyncio task alive on one worker per open page, survives the tab unless it
  polls for disconnects, and restarts on every page mount.
- A browser timer needs nothing on the server between ticks. Each tick is one
  ordinary event on the tab's existing websocket, so it works unchanged with
  several workers and the Redis state manager (any worker may take it); it
  costs one session lookup and one index-only COUNT, and sends a delta only
  when the count changed. Hidden tabs skip their ticks and check once at the
  moment they become visible again, so background tabs cost nothing.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex.event import no_args_event_spec
from reflex.vars import VarData
from reflex_base.components.component import field


class Heartbeat(rx.Fragment):
    """Renders nothing; fires `on_tick` when mounted, every `seconds` while the
    page is visible (every `quick_seconds` on pages whose path starts with
    one of `quick_paths`), and when a hidden page becomes visible again."""

    on_tick: rx.EventHandler[no_args_event_spec]
    seconds: int = field(default=5, is_javascript_property=False)
    quick_paths: list[str] = field(default_factory=list, is_javascript_property=False)
    quick_seconds: int = field(default=5, is_javascript_property=False)

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "on_tick"]

    def add_hooks(self) -> list[str | rx.Var]:
        tick = self.event_triggers.get("on_tick")
        if tick is None:
            return []
        handler = rx.Var.create(tick)
        # The timer runs at the quick period and skips ticks not yet due:
        # the navigation stays mounted while the member moves between
        # pages, and one arriving in a conversation gets a tick within
        # the quick period, not whatever was left of the slow one.
        quick_ms, slow_ms = int(self.quick_seconds * 1000), int(self.seconds * 1000)
        code = f"""useEffect(() => {{
    if (typeof document === 'undefined') return;
    const tick = {handler};
    const quick = {json.dumps(list(self.quick_paths))};
    let last = 0;
    const beat = () => {{ if (!document.hidden) {{ last = Date.now(); tick(); }} }};
    const due = () => quick.some((p) => window.location.pathname.startsWith(p))
        ? {quick_ms} : {slow_ms};
    const check = () => {{ if (Date.now() - last >= due() - 100) beat(); }};
    beat();
    const timer = setInterval(check, Math.min({quick_ms}, {slow_ms}));
    document.addEventListener('visibilitychange', beat);
    return () => {{
        clearInterval(timer);
        document.removeEventListener('visibilitychange', beat);
    }};
}}, []);"""
        var_data = VarData.merge(
            handler._get_all_var_data(), VarData(imports={"react": ["useEffect"]})
        )
        return [rx.Var(code, _var_data=var_data)]


heartbeat = Heartbeat.create
