"""A server-side SVG of a resource's neighbourhood: no CDN, no script, readable as is.

The resource sits in the middle; the agents that act on it (its guarantor, who extends or
leads it, and whatever points at it) stand on the left, what it points at (beneficiary,
commitment type, members, conditions) on the right, so a commitment reads
"guarantor → commitment → beneficiary". Arrows follow the RDF direction. Each node is a link
named by its visible words ("led by France") with the full text in a ``<title>``; the whole
figure has a title and description. Every string from the data is escaped here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

#: properties whose value is the actor behind the resource: drawn on the left
ACTOR_PROPERTIES = {
    "guarantor",
    "extendedBy",
    "ledBy",
    "endorsedBy",
    "supportedBy",
    "contributedBy",
    "reportedSpeaker",
    "aggressor",
    "dependsOn",
}
MAX_PER_SIDE = 7
WIDTH = 660
BOX_W = 196
BOX_H = 40
GAP = 12
CENTER_W = 200


@dataclass(frozen=True)
class Edge:
    """One link of the neighbourhood: ``prop`` label, the other node's label and URL, and
    whether the RDF triple points from the centre to the node (``outgoing``)."""

    prop: str
    prop_local: str
    label: str
    url: str | None
    outgoing: bool


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _node(x: float, y: float, edge: Edge, side: str) -> str:
    name = f"{edge.prop}: {edge.label}" if edge.outgoing else f"{edge.label} — {edge.prop}"
    body = (
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" class="dg-box"/>'
        f'<text x="{x + 10}" y="{y + 15}" class="dg-prop">{escape(_clip(edge.prop, 28))}</text>'
        f'<text x="{x + 10}" y="{y + 32}" class="dg-label">{escape(_clip(edge.label, 22))}</text>'
    )
    title = f"<title>{escape(name)}</title>"
    if edge.url:
        return f'<a href="{escape(edge.url)}" class="dg-node dg-{side}">{title}{body}</a>'
    return f'<g class="dg-node dg-{side}" role="img" aria-label="{escape(name)}">{title}{body}</g>'


def neighbourhood_svg(center: str, edges: list[Edge], *, title: str | None = None) -> Markup:
    """The diagram as inline SVG markup (already escaped; safe to embed)."""
    left = [e for e in edges if not e.outgoing or e.prop_local in ACTOR_PROPERTIES]
    right = [e for e in edges if e not in left]
    sides = []
    for items in (left, right):
        shown = items[:MAX_PER_SIDE]
        if len(items) > MAX_PER_SIDE:
            more = len(items) - MAX_PER_SIDE
            shown.append(Edge("and", "", f"{more} more (see the lists)", None, True))
        sides.append(shown)
    rows = max(len(sides[0]), len(sides[1]), 1)
    height = rows * (BOX_H + GAP) + GAP
    cy = height / 2
    # one-sided neighbourhoods get a narrower picture instead of an empty half
    width = WIDTH if sides[0] and sides[1] else WIDTH - BOX_W - 40
    cx = (
        (width - CENTER_W) / 2
        if sides[0] and sides[1]
        else (width - CENTER_W - GAP if sides[0] else GAP)
    )
    parts = []
    title_text = title or f"Neighbourhood of {center}"
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="diagram" role="group" aria-labelledby="dg-title dg-desc">'
        f'<title id="dg-title">{escape(title_text)}</title>'
        f'<desc id="dg-desc">{escape(center)} with {len(edges)} linked resources; '
        f"arrows follow the direction of each statement.</desc>"
        '<defs><marker id="dg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="dg-arrowhead"/></marker></defs>'
    )
    for side_index, items in enumerate(sides):
        side = "left" if side_index == 0 else "right"
        top = (height - len(items) * (BOX_H + GAP) + GAP) / 2
        for i, edge in enumerate(items):
            y = top + i * (BOX_H + GAP)
            x = GAP if side == "left" else width - BOX_W - GAP
            ny = y + BOX_H / 2
            node_x = x + BOX_W if side == "left" else x
            center_x = cx if side == "left" else cx + CENTER_W
            if edge.prop_local:  # not the "more" box
                start, end = (center_x, node_x) if edge.outgoing else (node_x, center_x)
                y1, y2 = (cy, ny) if edge.outgoing else (ny, cy)
                parts.append(
                    f'<line x1="{start}" y1="{y1}" x2="{end}" y2="{y2}" class="dg-edge" '
                    'marker-end="url(#dg-arrow)"/>'
                )
            parts.append(_node(x, y, edge, side))
    parts.append(
        f'<g class="dg-center"><rect x="{cx}" y="{cy - 26}" width="{CENTER_W}" height="52" '
        f'rx="8" class="dg-center-box"/>'
        f'<text x="{cx + CENTER_W / 2}" y="{cy + 5}" text-anchor="middle" class="dg-center-label">'
        f"{escape(_clip(center, 24))}</text></g></svg>"
    )
    return Markup("".join(parts))  # noqa: S704 (every data string above went through escape)
