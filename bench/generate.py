"""A seeded generator of a realistic geopolitical N-Triples graph, for load and query benchmarks.

``python -m bench.generate -n 1000000 -o bench/data/geo-1m.nt``

The graph has the shape of the curated data, at scale: states (ISO 3166 codes, COW codes,
labels in en/fr/de/uk, owl:sameAs to Wikidata and GeoNames), formal and informal blocs with
members, events with dates and places, security guarantees, commitments (guarantor →
beneficiary → commitment type, status, conditions) and assertions quoting source documents
(with blank-node quote selectors, as in the nanopublications). Terms are the ``sg:`` terms of
docs/vocabulary.md; instances live under ``https://example.org/bench/id/{kind}/{n}``.

Deterministic: the same seed and N give the same bytes (one ``random.Random(seed)``, no set or
hash ordering). Fast: lines are built from f-string templates and written in large batches.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

SG = "https://w3id.org/sgkg/ontology/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SAME_AS = "<http://www.w3.org/2002/07/owl#sameAs>"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
DEFAULT_BASE = "https://example.org/bench/"

_SYLLABLES = [
    "ar",
    "bel",
    "cor",
    "dan",
    "el",
    "fin",
    "gal",
    "hor",
    "is",
    "jan",
    "kal",
    "lor",
    "mar",
    "nor",
    "os",
    "pal",
    "quin",
    "ros",
    "sal",
    "tor",
    "ur",
    "val",
    "wen",
    "xan",
    "yor",
    "zel",
    "bra",
    "cri",
    "dro",
    "fre",
    "glo",
    "kra",
    "len",
    "mon",
    "ner",
    "pol",
    "ran",
    "sen",
    "tan",
    "vor",
]
# A transliteration of the syllables above into Cyrillic, for Ukrainian labels.
_CYR = {
    "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х",
    "i": "і", "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
    "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс",
    "y": "и", "z": "з",
}  # fmt: skip
_STATE_FORMS = (
    ("Republic of {}", "République de {}", "Republik {}", "Республіка {}"),
    ("Kingdom of {}", "Royaume de {}", "Königreich {}", "Королівство {}"),
    ("{}", "{}", "{}", "{}"),
    ("Federation of {}", "Fédération de {}", "Föderation {}", "Федерація {}"),
)
_COMMITMENT_TYPES = [
    "Defense",
    "Consultation",
    "NonAggression",
    "GroundTroops",
    "AirSupport",
    "NavalPresence",
    "IntelligenceSharing",
    "MilitaryAid",
    "Sanctions",
    "OilRevenueRestrictions",
    "Reassurance",
]
_STATUSES = ("Proposed", "Promised", "Declined", "Implemented")
_KINDS = ("ReportedFact", "AuthorAssessment", "Prediction", "Conditional", "Recommendation")
_EVENTS = ("Summit", "Announcement", "Gathering")
_CONDITIONS = ("ActivationCondition", "TriggerCondition", "DependencyCondition")
_VERBS = (
    "pledged",
    "offered",
    "promised",
    "refused",
    "proposed",
    "signalled",
    "confirmed",
    "reiterated",
)
_WHAT = (
    "air support",
    "a reassurance force",
    "intelligence sharing",
    "military aid",
    "sanctions on the aggressor",
    "naval patrols",
    "training missions",
    "long-range weapons",
)
_IF = (
    "if the ceasefire holds",
    "once a peace deal is signed",
    "provided that the allies agree",
    "only with a backstop",
    "should the aggressor attack again",
    "after parliament approves it",
)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _cyrillic(name: str) -> str:
    return "".join(_CYR.get(c, c) for c in name.lower()).capitalize()


class Generator:
    """Yields batches of N-Triples lines; the caller stops at exactly N."""

    def __init__(self, n: int, seed: int = 42, base: str = DEFAULT_BASE) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.base = base
        self.bnode = 0

    def iri(self, kind: str, key: int | str) -> str:
        return f"<{self.base}id/{kind}/{key}>"

    def batches(self) -> Iterator[list[str]]:
        rng = self.rng
        n_states = min(600, max(20, self.n // 4000))
        n_blocs = max(5, self.n // 20000)
        n_docs = max(5, self.n // 5000)
        states = [self.iri("country", i) for i in range(n_states)]
        yield from self._states(states)
        blocs = [self.iri("bloc", i) for i in range(n_blocs)]
        yield self._blocs(blocs, states)
        docs = [self.iri("document", i) for i in range(n_docs)]
        yield self._documents(docs)
        unit = 0
        while True:
            yield self._guarantee(unit, states, blocs, docs, rng)
            unit += 1

    def _states(self, states: list[str]) -> Iterator[list[str]]:
        rng = self.rng
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        alpha2 = [a + b for a in letters for b in letters]
        rng.shuffle(alpha2)
        alpha3 = rng.sample(range(26**3), len(states))
        lines: list[str] = []
        t = RDF_TYPE
        for i, s in enumerate(states):
            name = _name(rng)
            en, fr, de, uk = rng.choice(_STATE_FORMS)
            a3 = alpha3[i]
            code3 = letters[a3 // 676] + letters[(a3 // 26) % 26] + letters[a3 % 26]
            qid = rng.randrange(1, 130_000_000)
            gn = rng.randrange(100_000, 12_000_000)
            lines += (
                f"{s} {t} <{SG}State> .\n",
                f'{s} {LABEL} "{en.format(name)}"@en .\n',
                f'{s} {LABEL} "{fr.format(name)}"@fr .\n',
                f'{s} {LABEL} "{de.format(name)}"@de .\n',
                f'{s} {LABEL} "{uk.format(_cyrillic(name))}"@uk .\n',
                f'{s} <{SG}iso3166Alpha2> "{alpha2[i]}" .\n',
                f'{s} <{SG}iso3166Alpha3> "{code3}" .\n',
                f'{s} <{SG}cowStateCode> "{2 + i * 3}"^^<{XSD}integer> .\n',
                f'{s} <{SG}cowStateAbbrev> "{code3}" .\n',
                f"{s} {SAME_AS} <http://www.wikidata.org/entity/Q{qid}> .\n",
                f"{s} {SAME_AS} <https://sws.geonames.org/{gn}/> .\n",
            )
        yield lines

    def _blocs(self, blocs: list[str], states: list[str]) -> list[str]:
        rng = self.rng
        lines: list[str] = []
        for i, b in enumerate(blocs):
            formal = i % 3 == 0
            cls = "FormalBloc" if formal else "InformalBloc"
            name = _name(rng)
            label = f"{name} Treaty Organisation" if formal else f"Circle of {name}"
            lines += (
                f"{b} {RDF_TYPE} <{SG}{cls}> .\n",
                f'{b} {LABEL} "{label}"@en .\n',
                f'{b} <{SG}startYear> "{rng.randint(1949, 2024)}"^^<{XSD}gYear> .\n',
            )
            members = rng.sample(states, min(len(states), rng.randint(3, 30)))
            lines += [f"{b} <{SG}hasMember> {m} .\n" for m in members]
            lines += [f"{m} <{SG}memberOf> {b} .\n" for m in members]
            if formal:
                lines.append(f"{b} {SAME_AS} <http://www.wikidata.org/entity/Q{1000 + i}> .\n")
        return lines

    def _documents(self, docs: list[str]) -> list[str]:
        rng = self.rng
        lines: list[str] = []
        for d in docs:
            y, m, day = rng.randint(1994, 2025), rng.randint(1, 12), rng.randint(1, 28)
            lines += (
                f"{d} {RDF_TYPE} <{SG}OpinionArticle> .\n",
                f'{d} <{DCT}title> "On guarantees for {_name(rng)}"@en .\n',
                f'{d} <{DCT}issued> "{y}-{m:02d}-{day:02d}"^^<{XSD}date> .\n',
            )
        return lines

    def _guarantee(
        self,
        unit: int,
        states: list[str],
        blocs: list[str],
        docs: list[str],
        rng: random.Random,
    ) -> list[str]:
        t = RDF_TYPE
        ev = self.iri("event", unit)
        g = self.iri("guarantee", unit)
        place = rng.choice(states)
        beneficiary = rng.choice(states)
        bloc = rng.choice(blocs)
        y, m, day = rng.randint(1994, 2025), rng.randint(1, 12), rng.randint(1, 28)
        etype = rng.choice(_EVENTS)
        lines = [
            f"{ev} {t} <{SG}{etype}> .\n",
            f'{ev} {LABEL} "{etype} {unit} in {y}"@en .\n',
            f'{ev} <{DCT}date> "{y}-{m:02d}-{day:02d}"^^<{XSD}date> .\n',
            f"{ev} <{SG}location> {place} .\n",
        ]
        participants = rng.sample(states, 3)
        lines += [f"{ev} <{SG}participant> {p} .\n" for p in participants]
        gtype = "TreatyGuarantee" if rng.random() < 0.3 else "PledgeGuarantee"
        lines += (
            f"{g} {t} <{SG}{gtype}> .\n",
            f'{g} {LABEL} "Security guarantee {unit}"@en .\n',
            f"{g} <{SG}extendedBy> {bloc} .\n",
            f"{g} <{SG}guaranteeFor> {beneficiary} .\n",
            f"{g} <{SG}ledBy> {participants[0]} .\n",
            f"{g} <{SG}announcedIn> {ev} .\n",
        )
        for k in range(rng.randint(2, 5)):
            c = self.iri("commitment", f"{unit}-{k}")
            guarantor = participants[k % 3]
            ctype = rng.choice(_COMMITMENT_TYPES)
            lines += (
                f"{c} {t} <{SG}Commitment> .\n",
                f"{c} <{SG}guarantor> {guarantor} .\n",
                f"{c} <{SG}beneficiary> {beneficiary} .\n",
                f"{c} <{SG}commitmentType> <{SG}{ctype}> .\n",
                f"{c} <{SG}status> <{SG}{rng.choice(_STATUSES)}> .\n",
                f"{c} <{SG}partOfGuarantee> {g} .\n",
            )
            if rng.random() < 0.4:
                cond = self.iri("condition", f"{unit}-{k}")
                lines += (
                    f"{c} <{SG}hasCondition> {cond} .\n",
                    f"{cond} {t} <{SG}{rng.choice(_CONDITIONS)}> .\n",
                    f'{cond} <{SG}conditionText> "{rng.choice(_IF)}" .\n',
                    f"{cond} <{SG}dependsOn> {rng.choice(states)} .\n",
                )
        for k in range(rng.randint(1, 3)):
            a = self.iri("assertion", f"{unit}-{k}")
            doc = rng.choice(docs)
            self.bnode += 1
            q, s = f"_:q{self.bnode}", f"_:s{self.bnode}"
            quote = f"The guarantor {rng.choice(_VERBS)} {rng.choice(_WHAT)} {rng.choice(_IF)}."
            lines += (
                f"{a} {t} <{SG}Assertion> .\n",
                f"{a} <{SG}kind> <{SG}{rng.choice(_KINDS)}> .\n",
                f"{a} <{SG}about> {g} .\n",
                f"{a} <{SG}sourceDocument> {doc} .\n",
                f'{a} <{SG}paragraph> "{rng.randint(1, 40)}"^^<{XSD}positiveInteger> .\n',
                f"{a} <{PROV}wasQuotedFrom> {q} .\n",
                f"{q} {t} <{OA}SpecificResource> .\n",
                f"{q} <{OA}hasSource> {doc} .\n",
                f"{q} <{OA}hasSelector> {s} .\n",
                f"{s} {t} <{OA}TextQuoteSelector> .\n",
                f'{s} <{OA}exact> "{quote}"@en .\n',
            )
        return lines


def generate(n: int, out: Path, *, seed: int = 42, base: str = DEFAULT_BASE) -> int:
    """Write exactly ``n`` N-Triples lines to ``out``; returns the bytes written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    size = 0
    buffer: list[str] = []
    with open(out, "wb") as fh:
        for batch in Generator(n, seed, base).batches():
            room = n - written
            if len(batch) > room:
                batch = batch[:room]
            buffer += batch
            written += len(batch)
            if len(buffer) >= 50_000 or written >= n:
                data = "".join(buffer).encode()
                fh.write(data)
                size += len(data)
                buffer = []
            if written >= n:
                break
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="number of triples")
    parser.add_argument("-o", "--out", type=Path, default=Path("bench/data/geo-1m.nt"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--base", default=DEFAULT_BASE, help="base IRI of the instances")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    size = generate(args.n, args.out, seed=args.seed, base=args.base)
    seconds = time.perf_counter() - start
    print(
        f"{args.n:,} triples, {size:,} bytes → {args.out} in {seconds:.2f}s "
        f"({args.n / seconds:,.0f} triples/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
