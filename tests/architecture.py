"""An import-linter contract the tool does not ship: no import cycle between
modules (`acyclic_modules`, registered in pyproject.toml).

import-linter's own `acyclic_siblings` compares packages: it would count
`marketplace.market` importing `marketplace.network` and back as a cycle even
when no module ever imports itself through others. The feature packages do call
each other both ways (an ask ranks people through the network; a connection
notifies through the inbox), and that is allowed; what is not is a loop of
modules -- accounts -> graph index -> session memory -> accounts was one --
where importing any of them half-imports the others and every change to one
ripples round the ring. This contract finds every such loop: the strongly
connected components of the module import graph, each shown as one cycle.
"""

from __future__ import annotations

import grimp
import networkx as nx
from importlinter import Contract, ContractCheck, fields, output


class AcyclicModulesContract(Contract):
    """No module of `containers` imports itself through other modules."""

    type_name = "acyclic_modules"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        imports = _imports_within(graph, self.containers)  # type: ignore[arg-type]
        loops = [
            (_one_cycle(imports.subgraph(loop)), len(loop))
            for loop in nx.strongly_connected_components(imports)
            if len(loop) > 1
        ]
        output.verbose_print(verbose, f"{len(loops)} knots of import cycles.")
        return ContractCheck(kept=not loops, metadata={"loops": sorted(loops)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle, knotted in check.metadata["loops"]:
            output.print_error(f"Import cycle ({knotted} modules are knotted here):")
            for importer, imported in zip(cycle, (*cycle[1:], cycle[0]), strict=True):
                output.print_error(f"    {importer} -> {imported}", bold=False)
            output.new_line()


def _imports_within(graph: grimp.ImportGraph, containers: list[str]) -> nx.DiGraph:
    modules = set()
    for container in containers:
        modules |= {container, *graph.find_descendants(container)}
    imports = nx.DiGraph()
    imports.add_nodes_from(modules)
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported in modules:
                imports.add_edge(module, imported)
    return imports


def _one_cycle(loop: nx.DiGraph) -> tuple[str, ...]:
    """A shortest cycle through the component's first module, to fix first."""
    start = min(loop.nodes)
    back = min(
        (nx.shortest_path(loop, nxt, start) for nxt in loop.successors(start)),
        key=len,
    )
    return (start, *back[:-1])
