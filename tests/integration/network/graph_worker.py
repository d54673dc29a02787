"""Another worker process, for the cross-worker graph tests: it points the
app at the database in argv[1], loads its own in-memory graph (and so starts
following the other workers' changes), then answers one JSON query per stdin
line with one JSON line on stdout."""

from __future__ import annotations

import json
import sys

from marketplace import db, events
from marketplace.accounts import signed_in
from marketplace.network import graph_index


def answer(query: dict) -> object:
    if query["q"] == "who_to_ask":
        found = graph_index.who_to_ask(query["member"], query["tags"])
        return [candidate.member_id for candidate in found]
    if query["q"] == "nudges":
        return [
            nudge.context_id for nudge in graph_index.context_nudges(query["member"])
        ]
    if query["q"] == "connected":
        return graph_index.index().graph.has_edge(query["a"], query["b"])
    if query["q"] == "signed_in":
        member = signed_in.member_for(query["token"])
        return member.id if member else None
    if query["q"] == "feed":
        listener = events.listener()
        return {
            "listening": bool(listener and listener.listening.is_set()),
            "received": listener.received if listener else 0,
            "loaded": graph_index.is_loaded(),
        }
    raise ValueError(f"unknown query {query!r}")


def main() -> None:
    db.use_engine(db.make_engine(sys.argv[1]))
    graph_index.index()
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        print(json.dumps(answer(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
