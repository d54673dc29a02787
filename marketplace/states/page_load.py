"""A page's load handler runs inside Reflex's `on_load_internal` event.

Reflex 0.10 answers a client-side navigation with a chain: the frontend sends
`update_vars_internal` and `on_load_internal`; the latter queues the page's
on_load handler and then `set_is_hydrated(True)` as two more events. Each
event takes the page's state lock, loads and saves its states (with Redis: a
lock, a GET and a SET per event) and sends a delta, and under load each
chained event waits its turn again at the back of the queue. Here the handler
runs in the `on_load_internal` event itself, with the lock that event already
holds, and the hydrated flag flips in the same delta: two events per
navigation instead of four (benchmarks/load.py).

What does not change: the handler runs on its own substate (loaded into the
locked tree), its deltas and the events it returns (a redirect, a toast) go
out as before, a newer navigation still supersedes this one, and a failing
handler is reported as Reflex reports it (the error toast) while the page
still hydrates. A background handler, or one Reflex's registry does not
know, keeps the chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from reflex.state import OnLoadInternalState, _load_events_for_page
from reflex_base.event.processor.base_state_processor import process_event
from reflex_base.registry import RegistrationContext

log = logging.getLogger(__name__)


async def on_load_internal(self: OnLoadInternalState) -> Any:
    """Run the page's on_load handlers now, then mark the page hydrated."""
    events = _load_events_for_page(self)  # None when the page has no handler
    if not events:
        return None
    *loads, _set_hydrated = events
    context = RegistrationContext.get()
    found = [context.event_handlers.get(event.name) for event in loads]
    if any(entry is None or entry.handler.is_background for entry in found):
        return events
    root = self._get_root_state()
    for event, entry in zip(loads, found, strict=True):
        substate = await self.get_state(entry.states[0])
        try:
            await process_event(
                handler=entry.handler,
                payload=event.payload,
                state=substate,
                root_state=root,
            )
        except Exception as error:  # as Reflex reports a failing handler
            log.exception("Error in the on_load handler %s", event.name)
            self.is_hydrated = True
            return context.app.backend_exception_handler(error)
    self.is_hydrated = True
    return None


def install(function: Callable[..., Any] = on_load_internal) -> None:
    """Swap the function behind Reflex's `on_load_internal` handler (the same
    handler object its event registry holds), once. (benchmarks/load.py's
    baseline app installs a function that picks per page.)"""
    handler = OnLoadInternalState.event_handlers["on_load_internal"]
    if handler.fn is function:
        return
    # Reflex's markers live on the function: `supersedes` (a newer navigation
    # cancels this one's unfinished load) must survive the swap.
    function.__dict__.update(vars(handler.fn))
    object.__setattr__(handler, "fn", function)
    for cached in ("_is_coroutine_function", "supersedes", "is_background"):
        handler.__dict__.pop(cached, None)
