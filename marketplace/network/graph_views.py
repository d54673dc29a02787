"""What the network page and a profile show of the relationship graph: the
ego-network picture, my connections by warmth, warm paths to someone -- and
who to ask for help with some tags, which the market's asks use. The rest of
the app reads the graph here, never through `graph_index` itself.

Read-only; everything comes from the in-memory graph (graph_index) plus one
query for names, so a page with a picture of dozens of people stays fast.
Whoever the viewer blocked, or was blocked by, appears nowhere: not in the
picture, not on a path (one more query, blocks.blocked_with). A path names
someone beyond the viewer's connections only where that person's privacy
settings let the viewer see whom they know (accounts/privacy.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from sqlmodel import Session, or_, select

from marketplace.accounts import members, privacy
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import privacy as privacy_rules
from marketplace.domain.ego import VIEWBOX, layout
from marketplace.domain.graph import Candidate, intro_reason, warmth_label
from marketplace.models import Connection, Member
from marketplace.network import blocks, graph_index

FIRST_LIMIT = 16  # connections drawn around me
SECOND_PER = 2  # people drawn beyond each of the warmest connections
SECOND_VIAS = 8
COLOURS = {0: "var(--accent-9)", 1: "var(--grass-9)", 2: "var(--gray-8)"}
RADII = {0: 16, 1: 10, 2: 6}


@dataclass(frozen=True)
class EgoNode:
    handle: str
    label: str  # first name, under the dot
    title: str  # full name and how warm, for the tooltip
    x: str  # SVG coordinates as text (SVG attributes are strings)
    y: str
    label_y: str
    r: int
    fill: str
    degree: int


@dataclass(frozen=True)
class EgoEdge:
    x1: str
    y1: str
    x2: str
    y2: str
    width: str
    opacity: str


@dataclass(frozen=True)
class ConnectionView:
    name: str
    handle: str
    headline: str
    strength: int  # percent
    warmth_label: str  # Warm | Steady | Cool
    last: str  # last time they did something together

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PathView:
    """One way to reach someone: the people along it and how warm it is."""

    names: list[str]
    strength: int  # percent: the product of the ties' strengths
    warmth: str  # "Warm path" | "Steady path" | "Cool path"
    via_handle: str  # whom to ask for the intro ("" when already connected)
    via_name: str
    hops: int = 0
    # why it ranks here: "2 hops via Marcus, who talks to both of you often"
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- picture


def ego_picture(
    session: Session, member_id: int, clock: Clock = system_clock
) -> tuple[list[EgoNode], list[EgoEdge]]:
    """Me, my warmest connections and a few people beyond them, placed by
    domain.ego.layout; ties drawn thicker the warmer they are."""
    graph, now = graph_index.index().graph, clock.now()
    hidden = blocks.blocked_with(session, member_id)
    with graph_index.lock():  # no change lands half-way through the reading
        first = _warmest(graph, member_id, now, {member_id}, FIRST_LIMIT)
        drawn = {member_id, *hidden, *(m for m, _ in first)}
        second = []
        for via, _ in first[:SECOND_VIAS]:  # each person once, by their warmest via
            for other, strength in _warmest(graph, via, now, drawn, SECOND_PER):
                second.append((other, via, strength))
                drawn.add(other)
    second = _second_shown(session, member_id, second)
    spots = layout(member_id, first, second)
    names = members.by_id(session, [s.member_id for s in spots])
    where = {s.member_id: s for s in spots}
    nodes = [_node(spot, names[spot.member_id]) for spot in spots]
    vias = {other: via for other, via, _ in second}
    edges = [
        _edge(where[vias.get(s.member_id, member_id)], s) for s in spots if s.degree > 0
    ]
    return nodes, edges


def _second_shown(session: Session, me: int, second: list[tuple]) -> list[tuple]:
    """People beyond my connections, drawn only where the connection they
    are drawn through lets me see whom they know, and not hidden from
    search (accounts/privacy.py)."""
    ids = {m for pair in second for m in pair[:2]}
    chosen = privacy.settings_for(session, ids)
    far = privacy.degrees_of(session, me, {other for other, _, _ in second})
    return [
        (other, via, strength)
        for other, via, strength in second
        if privacy_rules.shows(chosen[via].connections, privacy_rules.FIRST)
        and privacy_rules.findable(chosen[other], far[other])
    ]


def _warmest(graph, member, now, skip: set[int], limit: int) -> list[tuple]:
    ties = [
        (other, graph.strength(member, other, now) or 0.0)
        for other in graph.neighbours(member)
        if other not in skip
    ]
    ties.sort(key=lambda tie: (-tie[1], tie[0]))
    return ties[:limit]


def _node(spot, member: Member) -> EgoNode:
    first_name = member.display_name.split()[0] if member.display_name else ""
    warmth = (
        "you"
        if spot.degree == 0
        else f"{warmth_label(spot.strength).lower()}, {round(spot.strength * 100)}%"
    )
    return EgoNode(
        handle=member.handle,
        label="You" if spot.degree == 0 else first_name[:12],
        title=f"{member.display_name} ({warmth})",
        x=f"{spot.x:.1f}",
        y=f"{spot.y:.1f}",
        label_y=f"{spot.y + RADII[spot.degree] + 11:.1f}",
        r=RADII[spot.degree],
        fill=COLOURS[spot.degree],
        degree=spot.degree,
    )


def _edge(start, end) -> EgoEdge:
    return EgoEdge(
        x1=f"{start.x:.1f}",
        y1=f"{start.y:.1f}",
        x2=f"{end.x:.1f}",
        y2=f"{end.y:.1f}",
        width=f"{1 + 4 * end.strength:.1f}",
        opacity=f"{0.25 + 0.6 * end.strength:.2f}",
    )


# ----------------------------------------------------------------------- connections


def connections_of(
    session: Session, member_id: int, clock: Clock = system_clock
) -> list[ConnectionView]:
    """My connections, warmest first, with when we last did something together."""
    rows = session.exec(
        select(Connection).where(
            Connection.status == "accepted",
            or_(
                Connection.requester_id == member_id,
                Connection.addressee_id == member_id,
            ),
        )
    ).all()
    others = {
        (r.addressee_id if r.requester_id == member_id else r.requester_id): r
        for r in rows
    }
    people = members.by_id(session, list(others))
    graph, now = graph_index.index().graph, clock.now()
    with graph_index.lock():  # no change lands half-way through the reading
        strengths = {m: graph.strength(member_id, m, now) or 0.0 for m in others}
    views = [
        _connection_view(people[m], strengths[m], others[m].last_interaction_at)
        for m in others
    ]
    return sorted(views, key=lambda v: (-v.strength, v.name))


def _connection_view(member: Member, strength: float, last: datetime | None):
    return ConnectionView(
        name=member.display_name,
        handle=member.handle,
        headline=member.headline,
        strength=round(strength * 100),
        warmth_label=warmth_label(strength),
        last=last.strftime("%-d %b %Y") if last else "—",
    )


# ----------------------------------------------------------------------------- paths


def paths_to(
    session: Session, viewer_id: int, target_id: int, clock: Clock = system_clock
) -> list[PathView]:
    """The ways from the viewer to `target_id` to ask an intro along, as the
    profile lists them: through mutual connections first (warmest first),
    then three-hop paths, each with the reason in words; none through
    someone either side of a block with the viewer."""
    if viewer_id == target_id:
        return []
    avoid = blocks.blocked_with(session, viewer_id)
    found = graph_index.intro_paths(viewer_id, target_id, clock, avoid=avoid)
    found = _private_hops_left_out(session, viewer_id, found)
    people = members.by_id(session, [m for path in found for m in path.members])
    return [_path_view(path, viewer_id, people) for path in found]


def _private_hops_left_out(session: Session, viewer_id: int, found: list) -> list:
    """Paths whose people beyond my own connections let me see whom they
    know (their connections list) and may be suggested to me (not hidden
    from search): a 3-hop path names the connections of its middle member.
    A mutual connection is shown as LinkedIn shows shared connections."""
    beyond = {m for path in found for m in path.members[2:-1]}
    if not beyond:
        return found
    far = privacy.degrees_of(session, viewer_id, beyond)
    chosen = privacy.settings_for(session, beyond)
    open_ = {
        m
        for m in beyond
        if privacy_rules.findable(chosen[m], far[m])
        and privacy_rules.shows(chosen[m].connections, far[m])
    }
    return [p for p in found if set(p.members[2:-1]) <= open_]


def _path_view(path, viewer_id: int, people: dict[int, Member]) -> PathView:
    names = ["You" if m == viewer_id else people[m].display_name for m in path.members]
    via = people[path.first_hop]
    firsts = [_first(people[m].display_name) for m in path.members[1:]]
    return PathView(
        names=names,
        strength=round(path.strength * 100),
        warmth=f"{warmth_label(path.strength)} path",
        via_handle=via.handle,
        via_name=via.display_name,
        hops=path.hops,
        reason=intro_reason(firsts, path.strengths),
    )


def _first(name: str) -> str:
    return name.split()[0] if name.split() else name


def mutual_names(
    session: Session, a: int, b: int, clock: Clock = system_clock
) -> list[str]:
    """The names of the people both know, warmest to both first: the order
    the intro paths through them are offered in."""
    ids = graph_index.mutual_connections(a, b, clock)
    people = members.by_id(session, ids)
    return [people[m].display_name for m in ids if m in people]


# ------------------------------------------------------------------------ who to ask


def who_to_ask(
    member_id: int,
    tags: Iterable[str],
    clock: Clock = system_clock,
    limit: int = 10,
    exclude: Collection[int] = (),
) -> list[Candidate]:
    """First- and second-degree members ranked for help with these tags
    (expertise, give propensity, path strength, availability, favours they
    owe), none of `exclude`."""
    return graph_index.who_to_ask(member_id, tags, clock, limit, exclude)


def who_else_to_ask(
    member_id: int,
    tags: Iterable[str],
    clock: Clock = system_clock,
    limit: int = 5,
    exclude: Collection[int] = (),
) -> list[Candidate]:
    """The best members beyond two degrees for help with these tags
    (expertise, give propensity, availability), none of `exclude`: whom a
    newcomer with no connections can ask."""
    return graph_index.who_else_to_ask(member_id, tags, clock, limit, exclude)


def has_connections(member_id: int) -> bool:
    """Whether the member has any connection at all (from memory)."""
    graph = graph_index.index().graph
    with graph_index.lock():
        return graph.degree(member_id) > 0


def ego_svg(nodes: list[EgoNode], edges: list[EgoEdge], caption: str) -> str:
    """The ego picture as SVG markup, for the page to insert as it is.

    Drawn by React it was ~150 elements made one by one on the first
    render, 55 ms of a network page's main thread; as markup the browser's
    own parser builds them at once (benchmarks/README.md, "Pages"). Names
    are members' words: every text and attribute is escaped here, and
    nothing else goes in. Each dot is a link to the person's profile."""
    lines = "".join(
        f'<line x1="{_attr(e.x1)}" y1="{_attr(e.y1)}" x2="{_attr(e.x2)}" '
        f'y2="{_attr(e.y2)}" style="stroke:var(--gray-9);'
        f'stroke-width:{_attr(e.width)};stroke-opacity:{_attr(e.opacity)}"/>'
        for e in edges
    )
    dots = "".join(
        f'<a href="/people/{_attr(n.handle)}" aria-label="{_attr(n.title)}">'
        f"<title>{escape(n.title)}</title>"
        f'<circle cx="{_attr(n.x)}" cy="{_attr(n.y)}" r="{int(n.r)}" '
        f'style="fill:{_attr(n.fill)}"/>'
        f'<text x="{_attr(n.x)}" y="{_attr(n.label_y)}" '
        f'style="text-anchor:middle;fill:var(--gray-12)">{escape(n.label)}</text></a>'
        for n in nodes
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{VIEWBOX}" role="group" '
        f'aria-label="{_attr(caption)}" width="100%" '
        'style="max-width:480px;display:block;margin:0 auto">'
        f"{lines}{dots}</svg>"
    )


def _attr(value: object) -> str:
    """Text for a double-quoted attribute (or a style value inside one)."""
    return escape(str(value), {'"': "&quot;", "'": "&#x27;"})
