"""Server-side SVG diagrams: no CDN, no script, readable as is. Every string from the data is
escaped here, once; every node is a link named by its visible words.

* :func:`neighbourhood_svg` — a resource in the middle; the agents that act on it (its
  guarantor, who extends or leads it, whatever points at it) on the left, what it points at
  (beneficiary, commitment type, members, conditions) on the right, so a commitment reads
  "guarantor → commitment → beneficiary". Arrows follow the RDF direction; a link that an
  assertion makes carries the badge of each kind of assertion behind it.
* :func:`argument_svg` — a source's argument map: claims as boxes badged by kind, in layers
  (the questions the text poses on top, then one band per paragraph, in the order of the
  text), relations (supports, attacks, …) as labelled arrows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from server.describe.argument import ArgumentMap
from server.describe.provenance import Provenance

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

#: the badge icon of each kind (a 10×10 shape; the colour comes from the k-… class)
ICONS = {
    "fact": '<rect x="1" y="1" width="8" height="8"/>',
    "assessment": '<circle cx="5" cy="5" r="4.2"/>',
    "prediction": '<path d="M5 0.5 L9.5 9.5 L0.5 9.5 z"/>',
    "conditional": '<path d="M5 0 L10 5 L5 10 L0 5 z"/>',
    "recommendation": '<path d="M5 0 L6.2 3.6 L10 3.6 L6.9 5.8 L8 9.5 L5 7.2 L2 9.5 '
    'L3.1 5.8 L0 3.6 L3.8 3.6 z"/>',
    "question": '<circle cx="5" cy="5" r="3.6" fill="none" stroke-width="2"/>',
    "obligation": '<path d="M2.5 0.7 L7.5 0.7 L10 5 L7.5 9.3 L2.5 9.3 L0 5 z"/>',
    "policy": '<path d="M5 0.3 L9.8 3.8 L8 9.6 L2 9.6 L0.2 3.8 z"/>',
    "permission": '<path d="M0.5 0.5 L9.5 0.5 L5 9.5 z"/>',
    "recital": '<rect x="0" y="3" width="10" height="4"/>',
    "affirmation": '<path d="M3.5 0 H6.5 V3.5 H10 V6.5 H6.5 V10 H3.5 V6.5 H0 V3.5 H3.5 z"/>',
    "unknown": '<rect x="2" y="2" width="6" height="6" fill="none" stroke-width="1.5"/>',
}


@dataclass(frozen=True)
class Edge:
    """One link of the neighbourhood: ``prop`` label, the other node's label and URL, and
    whether the RDF triple points from the centre to the node (``outgoing``); ``kinds`` are
    the ``(css class, words)`` of the assertions that make it (none for curated data)."""

    prop: str
    prop_local: str
    label: str
    url: str | None
    outgoing: bool
    kinds: tuple[tuple[str, str], ...] = ()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def icon(css: str, x: float, y: float, scale: float = 1.0) -> str:
    """A kind's badge icon at (x, y), decorative (its words are always beside it)."""
    shape = ICONS.get(css, ICONS["unknown"])
    return (
        f'<g class="kind-icon k-{css}" transform="translate({x:g} {y:g}) scale({scale:g})" '
        f'aria-hidden="true">{shape}</g>'
    )


def _node(x: float, y: float, edge: Edge, side: str) -> str:
    name = f"{edge.prop}: {edge.label}" if edge.outgoing else f"{edge.label} — {edge.prop}"
    said = ", ".join(words.lower() for _, words in edge.kinds)
    label = f"{name} ({said})" if said else name
    icons = "".join(
        icon(css, x + BOX_W - 16 - 13 * i, y + 6) for i, (css, _) in enumerate(edge.kinds[:3])
    )
    body = (
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" class="dg-box"/>'
        f'<text x="{x + 10}" y="{y + 15}" class="dg-prop">{escape(_clip(edge.prop, 24))}</text>'
        f'<text x="{x + 10}" y="{y + 32}" class="dg-label">{escape(_clip(edge.label, 22))}</text>'
        f"{icons}"
    )
    title = f"<title>{escape(name)}</title>"
    if said:
        title += f"<desc>Stated by: {escape(said)}</desc>"
    if edge.url:  # named by its <title>, described by its kinds (no aria-label: the visible,
        # clipped words must stay part of the name)
        return f'<a href="{escape(edge.url)}" class="dg-node dg-{side}">{title}{body}</a>'
    return f'<g class="dg-node dg-{side}" role="img" aria-label="{escape(label)}">{title}{body}</g>'


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
        f"arrows follow the direction of each statement; a shape in a box marks the kind "
        f"of assertion that makes the link.</desc>"
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


# --- the argument map ------------------------------------------------------------------------

AM_COLS = 4
AM_W = 232
AM_H = 84
AM_HGAP = 30
AM_VGAP = 34
AM_BAND_GAP = 26
AM_LEFT = 12
AM_BAND_HEAD = 22  # the band's label above its boxes
AM_LINE = 31  # characters per line of a quote in a box
AM_LINES = 3


@dataclass(frozen=True)
class Box:
    prov: Provenance
    x: float
    y: float

    @property
    def cx(self) -> float:
        return self.x + AM_W / 2


def layers(amap: ArgumentMap) -> list[tuple[str, list[Provenance]]]:
    """``(band label, nodes)``: questions first, then one band per section of the text (a
    document with headings) or per paragraph, then claims of other sources that a relation
    reaches; within a band, the order of the text."""
    questions = [p for p in amap.nodes if p.kind == "RhetoricalQuestion" and p.source == amap.doc]
    bands: dict[str, list[Provenance]] = {}
    others: list[Provenance] = []
    for p in amap.nodes:
        if p in questions:
            continue
        if p.source != amap.doc:
            others.append(p)
        else:
            key = p.section or (f"¶ {p.paragraph}" if p.paragraph else "¶ ?")
            bands.setdefault(key, []).append(p)
    result: list[tuple[str, list[Provenance]]] = []
    if questions:
        result.append(("Questions the text poses", questions))
    result.extend(bands.items())  # nodes come in the order of the text, so bands do too
    if others:
        result.append(("Claims of other sources", others))
    return result


def layout(amap: ArgumentMap) -> tuple[list[tuple[str, float, float]], dict[str, Box], float]:
    """Band labels ``(text, y, height)``, a box per node (by assertion IRI), total height."""
    boxes: dict[str, Box] = {}
    bands: list[tuple[str, float, float]] = []
    y = AM_BAND_GAP / 2
    for name, nodes in layers(amap):
        top = y + AM_BAND_HEAD
        for i, p in enumerate(nodes):
            row, col = divmod(i, AM_COLS)
            boxes[p.assertion] = Box(
                p, AM_LEFT + col * (AM_W + AM_HGAP), top + row * (AM_H + AM_VGAP)
            )
        rows = (len(nodes) + AM_COLS - 1) // AM_COLS
        height = rows * (AM_H + AM_VGAP) - AM_VGAP
        bands.append((name, y, height))
        y = top + height + AM_VGAP + AM_BAND_GAP
    return bands, boxes, y - AM_VGAP


def node_name(p: Provenance) -> str:
    """A node's accessible name: its slug, kind and quote."""
    return f"{p.slug}, {p.kind_words.lower()}: “{p.exact or p.paraphrase}”"


def _quote_lines(text: str) -> list[str]:
    lines = textwrap.wrap(text, AM_LINE) or [""]
    if len(lines) > AM_LINES:
        lines = lines[:AM_LINES]
        lines[-1] = _clip(lines[-1] + " …", AM_LINE)
    return lines


def _box_svg(box: Box, url: str | None) -> str:
    p, x, y = box.prov, box.x, box.y
    name = node_name(p)
    lines = "".join(
        f'<text x="{x + 10:g}" y="{y + 42 + 15 * i:g}" class="am-quote">{escape(line)}</text>'
        for i, line in enumerate(_quote_lines(p.exact or p.paraphrase))
    )
    body = (
        f'<rect x="{x:g}" y="{y:g}" width="{AM_W}" height="{AM_H}" rx="7" class="am-box"/>'
        f"{icon(p.kind_class, x + 10, y + 10)}"
        f'<text x="{x + 26:g}" y="{y + 19:g}" class="am-kind">{escape(p.kind_words)}</text>'
        f'<text x="{x + AM_W - 10:g}" y="{y + 19:g}" text-anchor="end" class="am-slug">'
        f"{escape(p.slug)}</text>{lines}"
    )
    attrs = f'class="am-node k-{p.kind_class}" id="n-{escape(p.slug)}"'
    if url:  # named by its <title>: slug, kind and the whole quote
        return f'<a href="{escape(url)}" {attrs}><title>{escape(name)}</title>{body}</a>'
    return (
        f'<g {attrs} role="img" aria-label="{escape(name)}"><title>{escape(name)}</title>{body}</g>'
    )


def _anchor(box: Box, side: str, index: int, count: int) -> tuple[float, float]:
    x = box.x + AM_W * (index + 1) / (count + 1)
    return (x, box.y + AM_H) if side == "bottom" else (x, box.y)


def _edges_svg(amap: ArgumentMap, boxes: dict[str, Box]) -> str:
    """Each relation as a curve from its source box to its target box, with its verb."""
    plans = []
    ports: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(amap.edges):
        a, b = boxes.get(e.source.assertion), boxes.get(e.target.assertion)
        if a is None or b is None:
            continue
        down = b.y > a.y or (b.y == a.y and b.x >= a.x)
        sides = (
            ("bottom", "top") if b.y > a.y else ("top", "bottom") if b.y < a.y else ("top", "top")
        )
        plans.append((i, e, a, b, sides, down))
        ports.setdefault((a.prov.assertion, sides[0]), []).append(i)
        ports.setdefault((b.prov.assertion, sides[1]), []).append(i)
    for key, ids in ports.items():  # spread the ends along a side, left to right by the far end
        ids.sort(key=lambda i: boxes[_far(amap, i, key[0])].cx)
    parts = []
    labels = []
    taken: list[tuple[float, float, float, float]] = []
    for i, e, a, b, sides, _down in plans:
        pa, pb = ports[(a.prov.assertion, sides[0])], ports[(b.prov.assertion, sides[1])]
        x1, y1 = _anchor(a, sides[0], pa.index(i), len(pa))
        x2, y2 = _anchor(b, sides[1], pb.index(i), len(pb))
        if sides == ("top", "top"):  # same row: arc above
            lift = 30 + abs(x2 - x1) * 0.08
            c1, c2 = (x1, y1 - lift), (x2, y2 - lift)
        else:
            bend = max(28.0, abs(y2 - y1) * 0.4)
            sign = 1 if sides[0] == "bottom" else -1
            c1, c2 = (x1, y1 + sign * bend), (x2, y2 - sign * bend)
        css = e.relation.css
        ends = f'data-s="{escape(e.source.slug)}" data-t="{escape(e.target.slug)}"'
        parts.append(
            f'<path d="M{x1:g},{y1:g} C{c1[0]:g},{c1[1]:g} {c2[0]:g},{c2[1]:g} {x2:g},{y2:g}" '
            f'class="am-edge r-{css}" marker-end="url(#am-arrow-{css})" {ends}/>'
        )
        mx, my = _label_spot((x1, y1), c1, c2, (x2, y2), e.relation.verb, taken)
        labels.append(
            f'<text x="{mx:g}" y="{my + 4:g}" text-anchor="middle" class="am-edge-label r-{css}" '
            f"{ends}>"
            f"{escape(e.relation.verb)}</text>"
        )
    return "".join(parts) + "".join(labels)


def _label_spot(
    p0: tuple[float, float],
    p1: tuple[float, float],
    p2: tuple[float, float],
    p3: tuple[float, float],
    verb: str,
    taken: list[tuple[float, float, float, float]],
) -> tuple[float, float]:
    """Where an edge's verb goes: the first point along the curve (middle first) whose label
    box overlaps no label placed before; the middle when every spot is taken."""
    half_w, half_h = 3.3 * len(verb) + 3, 8.0
    spots = []
    for t in (0.5, 0.35, 0.65, 0.2, 0.8):
        u = 1 - t
        x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
        y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
        spots.append((x, y))
    for x, y in spots:
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if not any(
            box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in taken
        ):
            taken.append(box)
            return x, y
    return spots[0]


def _far(amap: ArgumentMap, i: int, near: str) -> str:
    e = amap.edges[i]
    return e.target.assertion if e.source.assertion == near else e.source.assertion


def argument_svg(
    amap: ArgumentMap, title: str, url_of: Callable[[Provenance], str | None], verbs: Sequence[str]
) -> Markup:
    """The argument map as inline SVG (already escaped; safe to embed)."""
    bands, boxes, height = layout(amap)
    width = AM_LEFT + AM_COLS * (AM_W + AM_HGAP) - AM_HGAP + 8
    height = max(height, 60)
    markers = "".join(
        f'<marker id="am-arrow-{v}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'class="am-arrowhead r-{v}"/></marker>'
        for v in verbs
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'class="argument-map" role="group" aria-labelledby="am-title am-desc">'
        f'<title id="am-title">{escape(title)}</title>'
        f'<desc id="am-desc">{len(amap.nodes)} claims and {len(amap.edges)} relations between '
        "them; each claim is a link to its quote in the annotated text. The same relations are "
        f"listed as text after the map.</desc><defs>{markers}</defs>"
    ]
    for name, top, _height in bands:
        rule = top - AM_BAND_GAP / 2 + 2
        parts.append(
            f'<g class="am-band" aria-hidden="true"><line x1="4" y1="{rule:g}" '
            f'x2="{width - 4:g}" y2="{rule:g}" class="am-band-rule"/>'
            f'<text x="{AM_LEFT:g}" y="{top + 12:g}" class="am-band-label">'
            f"{escape(_clip(name, 120))}</text></g>"
        )
    parts.append(f'<g class="am-edges" aria-hidden="true">{_edges_svg(amap, boxes)}</g>')
    parts.append('<g class="am-nodes">')
    for p in amap.nodes:
        parts.append(_box_svg(boxes[p.assertion], url_of(p)))
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704 (every data string above went through escape)
