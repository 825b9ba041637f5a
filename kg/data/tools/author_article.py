"""Authoring helper (not used at runtime): writes kg/data/article/<slug>/pNN.trig.

Why: typing character offsets by hand is error-prone. Here each assertion is written once as
(kind, exact words, content triples); the script finds the words inside the given body
sentence, computes oa:start/oa:end (Python str indexes = Unicode code points, end
exclusive) and ~32 characters of oa:prefix/oa:suffix (clipped to the paragraph), numbers
the assertions usg-001… in document order and writes one readable TriG file per paragraph.
The committed TriG files are the source of truth afterwards; kg.quotes re-checks them on
every build. Run:  .venv/bin/python kg/data/tools/author_article.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from kg.quotes import body_paragraphs, sentences  # noqa: E402

SLUG = "ukraine-security-guarantees"
TEXT = (ROOT / "kg/data/sources" / f"{SLUG}.txt").read_text(encoding="utf-8")
OUT = ROOT / "kg/data/article" / SLUG
CREATED = "2026-11-26"
CONTEXT = 32
B = "https://w3id.org/sgkg/"

PREFIXES = {
    "sg": B + "ontology/",
    "a": B + "graph/assertion/",
    "doc": B + "id/document/",
    "country": B + "id/country/",
    "person": B + "id/person/",
    "gov": B + "id/government/",
    "organisation": B + "id/organisation/",
    "coalition": B + "id/coalition/",
    "group": B + "id/group/",
    "bloc": B + "id/bloc/",
    "force": B + "id/force/",
    "guarantee": B + "id/guarantee/",
    "commitment": B + "id/commitment/",
    "condition": B + "id/condition/",
    "event": B + "id/event/",
    "place": B + "id/place/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
ENTITY_PREFIXES = (
    "country",
    "person",
    "gov",
    "organisation",
    "coalition",
    "group",
    "bloc",
    "force",
    "guarantee",
    "commitment",
    "condition",
    "event",
    "place",
)

F, AS, PR, CO, RE = (
    "sg:ReportedFact",
    "sg:AuthorAssessment",
    "sg:Prediction",
    "sg:Conditional",
    "sg:Recommendation",
)

# Frequent entities
G = "guarantee:ukraine-postwar-security-guarantees"
COAL = "coalition:26-nation-coalition"
FORCE = "force:reassurance-force"
CF = "commitment:coalition-reassurance-force"
US = "country:united-states"
UA = "country:ukraine"
RU = "country:russia"
CN = "country:china"
EU_ = "group:europe"
ADMIN = "gov:trump-administration"
RUGOV = "gov:russian-government"
ACT = "condition:once-hostilities-cease"
DEP = "condition:us-backing"


def note(subject: str, text: str) -> str:
    """A paraphrase of an evaluative claim the ontology has no relation for."""
    return f'{subject} rdfs:comment "{text}"@en .'


@dataclass
class Spec:
    kind: str
    exact: str
    content: str
    speaker: str | None
    about: tuple[str, ...]
    nth: int
    paragraph: int = 0
    sentence: int = 0
    start: int = 0
    end: int = 0
    order: int = 0
    slug: str = ""
    extra: list[str] = field(default_factory=list)


SPECS: list[Spec] = []
_POS = [0, 0]


def S(paragraph: int, sentence: int) -> None:
    _POS[:] = [paragraph, sentence]


def A(
    kind: str,
    exact: str,
    *content: str,
    speaker: str | None = None,
    about: tuple[str, ...] = (),
    nth: int = 0,
) -> None:
    SPECS.append(
        Spec(
            kind, exact, "\n".join(content), speaker, about, nth, _POS[0], _POS[1], order=len(SPECS)
        )
    )


# ---------------------------------------------------------------------------- ¶1
S(1, 1)
A(
    F,
    "The recent announcement by 26 nations to extend postwar security guarantees to Ukraine",
    f"event:26-nation-announcement sg:participant {COAL} .",
    f"{G} sg:announcedIn event:26-nation-announcement .",
    speaker=COAL,
)
A(F, "26 nations", f'{COAL} sg:memberCount "26"^^xsd:integer .')
A(
    F,
    "26 nations to extend postwar security guarantees",
    f"{G} sg:extendedBy {COAL} .",
    speaker=COAL,
)
A(F, "postwar security guarantees to Ukraine", f"{G} sg:guaranteeFor {UA} .", speaker=COAL)
A(
    AS,
    "represents one of the most consequential international moves since Russia’s full-scale "
    "invasion began in 2022",
    note(
        G,
        "The 26-nation announcement of postwar security guarantees is one of the most "
        "consequential international moves since Russia's full-scale invasion began in 2022.",
    ),
    about=("event:russian-full-scale-invasion-2022",),
)
A(
    F,
    "Russia’s full-scale invasion began in 2022",
    f"event:russian-full-scale-invasion-2022 sg:aggressor {RU} ; sg:target {UA} ;",
    '    sg:startYear "2022"^^xsd:gYear .',
)
S(1, 2)
A(F, "Spearheaded by France", f"{G} sg:ledBy country:france .")
A(F, "endorsed by major European powers", f"{G} sg:endorsedBy group:major-european-powers .")
A(F, "Canada", f"{G} sg:endorsedBy country:canada .")
A(F, "Japan", f"{G} sg:endorsedBy country:japan .")
A(F, "Australia", f"{G} sg:endorsedBy country:australia .")
A(
    F,
    "the plan proposes a multinational “reassurance force”",
    f"{G} sg:proposesForce {FORCE} .",
    f"{CF} sg:guarantor {COAL} ; sg:beneficiary {UA} ; sg:commitmentType sg:Reassurance ;",
    f"    sg:status sg:Proposed ; sg:providesForce {FORCE} ; sg:partOfGuarantee {G} .",
    speaker=COAL,
)
A(F, "deployed by land", f"{FORCE} sg:operatesIn sg:Land .", speaker=COAL)
A(F, "sea", f"{FORCE} sg:operatesIn sg:Sea .", speaker=COAL)
A(F, "air", f"{FORCE} sg:operatesIn sg:Air .", speaker=COAL)
A(
    F,
    "once the guns fall silent",
    f"{CF} sg:hasCondition {ACT} .",
    f'{ACT} sg:conditionText "once the guns fall silent"@en .',
    speaker=COAL,
    about=(FORCE,),
)
S(1, 3)
A(
    AS,
    "The symbolism is clear: Europe and its partners will not allow Ukraine to stand alone again",
    f"group:europe-and-its-partners sg:supports {UA} .",
    note(
        "group:europe-and-its-partners",
        "Symbolically, Europe and its partners will not allow Ukraine to stand alone again.",
    ),
    about=(G,),
)
S(1, 4)
A(
    AS,
    "the central question of credibility — can these guarantees be enforced without firm and "
    "unequivocal US backing?",
    f"{CF} sg:hasCondition {DEP} .",
    f'{DEP} sg:dependsOn {US} ; sg:conditionText "without firm and unequivocal US backing"@en .',
    note(
        G,
        "Whether the guarantees can be enforced without firm US backing is the central "
        "question of their credibility.",
    ),
    about=(G,),
)

# ---------------------------------------------------------------------------- ¶2
S(2, 1)
A(
    AS,
    "The very presence of such a broad coalition alters the strategic calculus in Eastern Europe",
    note(
        COAL,
        "The presence of such a broad coalition alters the strategic calculus in Eastern Europe.",
    ),
    about=("place:eastern-europe",),
)
S(2, 2)
A(
    PR,
    "For the Kremlin, any future aggression against Ukraine will carry higher risks",
    note(RUGOV, "Any future aggression against Ukraine will carry higher risks for the Kremlin."),
    about=(UA, RU),
)
A(
    CO,
    "striking at troops from EU or NATO member states could trigger collective retaliation",
    f"{CF} sg:hasCondition condition:strike-on-eu-or-nato-troops .",
    f"condition:strike-on-eu-or-nato-troops sg:triggerAdversary {RU} ;",
    '    sg:conditionText "striking at troops from EU or NATO member states"@en .',
    note(
        "condition:strike-on-eu-or-nato-troops",
        "Striking at troops from EU or NATO member states could trigger collective retaliation.",
    ),
    about=("organisation:european-union", "organisation:nato", FORCE),
)
S(2, 3)
A(
    F,
    "Even in the absence of NATO’s formal Article 5 umbrella",
    f"{G} a sg:PledgeGuarantee .",
    note(G, "The guarantees are not covered by NATO's formal Article 5 umbrella."),
    about=("organisation:nato",),
)
A(
    AS,
    "the involvement of soldiers from multiple countries effectively internationalises Ukraine’s "
    "defence",
    note(
        FORCE,
        "The involvement of soldiers from multiple countries effectively "
        "internationalises Ukraine's defence.",
    ),
    about=(UA,),
)
S(2, 4)
A(
    AS,
    "For Kyiv, this transforms the idea of sovereignty from temporary survival to long-term "
    "permanence",
    note(
        UA,
        "For Kyiv, the coalition's guarantees transform the idea of sovereignty from "
        "temporary survival to long-term permanence.",
    ),
    about=("place:kyiv", G),
)
S(2, 5)
A(
    F,
    "international soldiers — not just aid and weapons — will remain present after the war",
    f"{FORCE} sg:deployedTo {UA} .",
    note(
        FORCE,
        "International soldiers, not just aid and weapons, will remain present after the war.",
    ),
    speaker=COAL,
    about=("event:ukrainian-war",),
)
A(
    AS,
    "The psychological boost of knowing that international soldiers — not just aid and weapons "
    "— will remain present after the war is itself a deterrent",
    note(
        FORCE,
        "The psychological boost of knowing that international soldiers will remain "
        "present after the war is itself a deterrent.",
    ),
)

# ---------------------------------------------------------------------------- ¶3
S(3, 1)
A(
    AS,
    "Europe’s newfound resolve cannot obscure the essential role of Washington",
    note(US, "Washington plays an essential role that Europe's newfound resolve cannot obscure."),
    about=(EU_, "place:washington"),
)
S(3, 2)
A(
    F,
    "President Trump’s administration has promised air support",
    "commitment:us-air-support sg:guarantor country:united-states ;",
    "    sg:beneficiary country:ukraine ;",
    "    sg:commitmentType sg:AirSupport ; sg:status sg:Promised .",
    speaker=ADMIN,
    about=(ADMIN, "person:donald-trump"),
)
A(
    F,
    "intelligence cooperation",
    "commitment:us-intelligence-sharing sg:guarantor country:united-states ;",
    "    sg:beneficiary country:ukraine ; sg:commitmentType sg:IntelligenceSharing ;",
    "    sg:status sg:Promised .",
    speaker=ADMIN,
    about=(ADMIN,),
)
A(
    F,
    "it has resisted calls to commit ground troops",
    "commitment:us-ground-troops sg:guarantor country:united-states ;",
    "    sg:beneficiary country:ukraine ;",
    "    sg:commitmentType sg:GroundTroops ; sg:status sg:Declined .",
    speaker=ADMIN,
    about=(ADMIN,),
)
S(3, 3)
A(
    AS,
    "This reluctance stems from Trump’s long-standing emphasis on burden-sharing",
    note(
        "person:donald-trump",
        "The US reluctance to commit ground troops stems from Trump's "
        "long-standing emphasis on burden-sharing.",
    ),
    about=("commitment:us-ground-troops",),
)
A(
    F,
    "his preference to strangle Russia’s war machine through sanctions",
    "commitment:us-sanctions sg:guarantor country:united-states ; sg:beneficiary country:ukraine ;",
    "    sg:adversary country:russia ; sg:commitmentType sg:Sanctions ; sg:status sg:Proposed .",
    note(
        "commitment:us-sanctions",
        "Trump's preferred instrument against Russia's war machine, not a promise to Ukraine.",
    ),
    about=("person:donald-trump",),
)
A(
    F,
    "oil revenue restrictions",
    "commitment:us-oil-revenue-restrictions sg:guarantor country:united-states ;",
    "    sg:beneficiary country:ukraine ; sg:adversary country:russia ;",
    "    sg:commitmentType sg:OilRevenueRestrictions ; sg:status sg:Proposed .",
    note(
        "commitment:us-oil-revenue-restrictions",
        "Trump's preferred instrument against Russia's war machine, not a promise to Ukraine.",
    ),
    about=("person:donald-trump",),
)
A(
    F,
    "pressuring China",
    "commitment:us-pressure-on-china sg:guarantor country:united-states ;",
    "    sg:beneficiary country:ukraine ; sg:adversary country:russia ;",
    "    sg:commitmentType sg:PressureOnThirdParties ; sg:status sg:Proposed .",
    note(
        "commitment:us-pressure-on-china",
        "Trump's preferred instrument against Russia's war "
        "machine: pressuring China; not a promise to Ukraine.",
    ),
    about=("person:donald-trump", CN),
)
S(3, 4)
A(
    AS,
    "Economic warfare can certainly weaken Moscow’s capacity",
    note(RU, "Economic warfare can weaken Moscow's capacity."),
    about=("place:moscow",),
)
A(
    AS,
    "deterrence on the ground requires the credible presence of American soldiers",
    note(US, "Deterrence on the ground requires the credible presence of American soldiers."),
    about=("commitment:us-ground-troops",),
)
A(
    AS,
    "the one factor that Russia still fears most",
    note(RU, "The presence of American soldiers is the one factor that Russia still fears most."),
    about=(US,),
)
S(3, 5)
A(
    CO,
    "Without a US military “backstop,” the reassurance force risks appearing as a "
    "well-intentioned but potentially vulnerable shield",
    f"{CF} sg:hasCondition {DEP} .",
    f'{DEP} sg:dependsOn {US} ; sg:conditionText "without a US military backstop"@en .',
    note(
        FORCE,
        "Without a US military backstop, the reassurance force risks appearing as a "
        "well-intentioned but potentially vulnerable shield.",
    ),
)

# ---------------------------------------------------------------------------- ¶4
S(4, 1)
A(
    F,
    "promises that only take effect “once hostilities cease.”",
    f"{CF} sg:hasCondition {ACT} .",
    f'{ACT} sg:conditionText "once hostilities cease"@en .',
    about=(FORCE, G),
)
A(
    PR,
    "Russia is unlikely to be intimidated by promises",
    note(
        RU,
        "Russia is unlikely to be intimidated by promises that only take effect once "
        "hostilities cease.",
    ),
    about=(G,),
)
S(4, 2)
A(
    F,
    "As of now, peace talks remain frozen",
    note("event:peace-talks", "Peace talks remain frozen at the time of writing."),
    about=(RU, UA),
)
A(
    AS,
    "President Vladimir Putin shows little appetite for genuine negotiation",
    note("person:vladimir-putin", "Putin shows little appetite for genuine negotiation."),
    about=("event:peace-talks",),
)
S(4, 3)
A(
    AS,
    "his government seeks to buy time",
    note(RUGOV, "The Russian government seeks to buy time."),
    about=("person:vladimir-putin",),
)
A(
    AS,
    "deepen military production",
    note(RUGOV, "The Russian government seeks to deepen military production."),
)
A(
    AS,
    "exploit global fractures",
    note(RUGOV, "The Russian government seeks to exploit global fractures."),
)
S(4, 4)
A(F, "The recent Beijing gathering", "event:beijing-gathering sg:location place:beijing .")
A(F, "Russian", "event:beijing-gathering sg:participant group:russian-leaders .", nth=0)
A(F, "Chinese", "event:beijing-gathering sg:participant group:chinese-leaders .")
A(
    F,
    "other non-Western leaders",
    "event:beijing-gathering sg:participant group:other-non-western-leaders .",
)
A(
    AS,
    "underlined this trend",
    note(
        "event:beijing-gathering",
        "The Beijing gathering underlined the Russian government's "
        "strategy of buying time, deepening military production and exploiting global "
        "fractures.",
    ),
    about=(RUGOV,),
)
S(4, 5)
A(
    AS,
    "Far from isolated, Moscow retains a strategic network of partners and sympathisers",
    f"bloc:strategic-network-of-partners-and-sympathisers sg:supports {RU} .",
    note(RU, "Russia is far from isolated."),
    about=("place:moscow",),
)
A(
    AS,
    "who reject Western dominance",
    note(
        "bloc:strategic-network-of-partners-and-sympathisers",
        "Russia's partners and sympathisers reject Western dominance.",
    ),
)
S(4, 6)
A(F, "China’s support", f"{CN} sg:supports {RU} .")
A(
    AS,
    "quiet backing from countries seeking to hedge against US power",
    f"group:countries-hedging-against-us-power sg:supports {RU} .",
    f"group:countries-hedging-against-us-power sg:opposes {US} .",
)
A(
    AS,
    "dilutes the deterrent value of Western initiatives",
    note(
        G,
        "China's support for Russia and quiet backing from hedging countries dilute the "
        "deterrent value of Western initiatives.",
    ),
    about=(CN, RU),
)

# ---------------------------------------------------------------------------- ¶5
S(5, 1)
A(
    AS,
    "For Europe, the security guarantees also signal a deeper transformation",
    note(G, "For Europe, the security guarantees signal a deeper transformation."),
    about=(EU_,),
)
S(5, 2)
A(
    F,
    "Since 1945, the continent has depended on American power to underwrite stability",
    f"{EU_} sg:reliesOn {US} .",
    note(EU_, "Since 1945 Europe has depended on American power to underwrite stability."),
    about=("place:europe",),
)
S(5, 3)
A(
    AS,
    "The Ukrainian war has forced Europe to step forward",
    note(EU_, "The Ukrainian war has forced Europe to step forward."),
    about=("event:ukrainian-war",),
)
A(
    AS,
    "assume responsibility",
    note(EU_, "The Ukrainian war has forced Europe to assume responsibility."),
    about=("event:ukrainian-war",),
)
A(
    AS,
    "demonstrate that it can act collectively even when Washington hesitates",
    note(
        EU_,
        "The Ukrainian war has forced Europe to demonstrate that it can act collectively "
        "even when Washington hesitates.",
    ),
    about=(US, "event:ukrainian-war"),
)
S(5, 4)
A(F, "France’s leadership", f"{G} sg:ledBy country:france .")
A(F, "supported by Germany", "country:germany sg:supports country:france .", about=(G,))
A(
    F,
    "Eastern European states",
    "group:eastern-european-states sg:supports country:france .",
    about=(G,),
)
A(
    AS,
    "reflects a new maturity in European security policy",
    note(
        "country:france",
        "France's leadership, supported by Germany and Eastern European "
        "states, reflects a new maturity in European security policy.",
    ),
    about=(EU_,),
)
S(5, 5)
A(
    CO,
    "If implemented effectively, the reassurance force could mark the first real step toward a "
    "post-American European defence architecture — a development with profound long-term "
    "consequences",
    note(
        FORCE,
        "If implemented effectively, the reassurance force could mark the first real "
        "step toward a post-American European defence architecture.",
    ),
    about=(EU_,),
)
S(5, 6)
A(
    AS,
    "until such a system proves itself, Europe remains reliant on American hard power",
    f"{EU_} sg:reliesOn {US} .",
    note(
        EU_,
        "Until a post-American European defence system proves itself, Europe remains "
        "reliant on American hard power.",
    ),
)

# ---------------------------------------------------------------------------- ¶6
S(6, 1)
A(
    RE,
    "Ukraine itself must weigh the guarantees carefully",
    note(UA, "Ukraine must weigh the guarantees carefully."),
    about=(G,),
)
S(6, 2)
A(
    AS,
    "the presence of multinational forces offers reassurance",
    note(FORCE, "The presence of multinational forces offers reassurance to Ukraine."),
    about=(UA,),
)
A(
    AS,
    "Kyiv knows that Russia’s war machine is not defeated but recalibrating",
    note(RU, "Russia's war machine is not defeated but recalibrating."),
    about=(UA, "place:kyiv"),
)
S(6, 3)
A(
    CO,
    "Without ironclad US support, there remains a possibility that Russia could test the "
    "commitment of European troops, calculating that Washington would hesitate to escalate",
    f"{CF} sg:hasCondition {DEP} .",
    f'{DEP} sg:dependsOn {US} ; sg:conditionText "without ironclad US support"@en .',
    note(
        RU,
        "Without ironclad US support, Russia could test the commitment of European "
        "troops, calculating that Washington would hesitate to escalate.",
    ),
    about=(FORCE,),
)
S(6, 4)
A(
    AS,
    "This places Ukraine in a precarious position: reassured but still vulnerable, defended but "
    "not invincible",
    note(
        UA,
        "Ukraine is in a precarious position: reassured but still vulnerable, defended "
        "but not invincible.",
    ),
    about=(G,),
)
S(6, 5)
A(
    PR,
    "Its long-term stability will depend on whether these guarantees translate into a permanent "
    "strategic reality or remain symbolic pledges",
    note(
        UA,
        "Ukraine's long-term stability will depend on whether the guarantees become a "
        "permanent strategic reality or remain symbolic pledges.",
    ),
    about=(G,),
)

# ---------------------------------------------------------------------------- ¶7
S(7, 1)
A(
    AS,
    "Equally important is the global political message",
    note(G, "The guarantees carry an equally important global political message."),
)
S(7, 2)
A(
    F,
    "By bringing together 26 countries",
    f'{COAL} sg:memberCount "26"^^xsd:integer .',
    about=(G,),
)
A(
    AS,
    "the initiative demonstrates that Russia’s war has triggered unprecedented unity among "
    "democracies across continents",
    f"{COAL} sg:memberOf bloc:democracies .",
    note(
        "bloc:democracies",
        "Russia's war has triggered unprecedented unity among democracies across continents.",
    ),
    about=(RU, "event:ukrainian-war"),
)
S(7, 3)
A(F, "Japan’s participation", f"{G} sg:supportedBy country:japan .")
A(
    AS,
    "underscores the Indo-Pacific dimension of the conflict",
    note(
        "country:japan",
        "Japan's participation underscores the Indo-Pacific dimension of the conflict.",
    ),
    about=("place:indo-pacific", "event:ukrainian-war"),
)
A(
    AS,
    "linking Ukraine’s struggle with broader concerns about authoritarian expansion in Asia",
    note(
        "country:japan",
        "Japan's participation links Ukraine's struggle with broader concerns "
        "about authoritarian expansion in Asia.",
    ),
    about=(UA, "place:asia"),
)
S(7, 4)
A(F, "Australia", f"{G} sg:supportedBy country:australia .")
A(F, "Canada’s involvement", f"{G} sg:supportedBy country:canada .")
A(
    AS,
    "reflects the transnational nature of today’s security challenges",
    note(
        G,
        "Australia and Canada's involvement reflects the transnational nature of today's "
        "security challenges.",
    ),
    about=("country:australia", "country:canada"),
)
S(7, 5)
A(AS, "Russia’s reliance on China", f"{RU} sg:reliesOn {CN} .")
A(AS, "its circle of sympathetic states", f"{RU} sg:reliesOn bloc:circle-of-sympathetic-states .")
A(
    AS,
    "reveals a world increasingly split into rival blocs",
    note(
        RU,
        "Russia's reliance on China and its circle of sympathetic states reveals a world "
        "increasingly split into rival blocs.",
    ),
    about=(CN, "bloc:circle-of-sympathetic-states", "bloc:democracies"),
)
S(7, 6)
A(
    AS,
    "Ukraine, in this sense, has become the fault line between democratic solidarity and "
    "authoritarian revisionism",
    note(
        UA,
        "Ukraine has become the fault line between democratic solidarity and "
        "authoritarian revisionism.",
    ),
)

# ---------------------------------------------------------------------------- ¶8
S(8, 1)
A(
    PR,
    "Europe’s political will",
    f"{CF} sg:hasCondition condition:european-political-will .",
    f"condition:european-political-will sg:dependsOn {EU_} ;",
    '    sg:conditionText "Europe\'s political will"@en .',
    about=(G,),
)
A(
    PR,
    "America’s strategic clarity",
    f"{CF} sg:hasCondition condition:us-strategic-clarity .",
    f"condition:us-strategic-clarity sg:dependsOn {US} ;",
    '    sg:conditionText "America\'s strategic clarity"@en .',
    about=(G,),
)
S(8, 2)
A(
    AS,
    "Europe has taken a bold step in asserting leadership",
    note(EU_, "Europe has taken a bold step in asserting leadership."),
)
A(
    AS,
    "its military and logistical capacity remain limited without US backing",
    f"{EU_} sg:reliesOn {US} .",
    note(EU_, "Europe's military and logistical capacity remain limited without US backing."),
)
S(8, 3)
A(
    RE,
    "Washington, meanwhile, must decide whether to remain a cautious supporter or to embrace "
    "the role of guarantor",
    note(
        US,
        "Washington must decide whether to remain a cautious supporter of Ukraine or "
        "to embrace the role of guarantor.",
    ),
    about=(UA, G, "place:washington"),
)
A(AS, "remain a cautious supporter", f"{US} sg:supports {UA} .")
S(8, 4)
A(
    AS,
    "For Ukraine, the difference between symbolic reassurance and genuine security lies in that "
    "choice",
    note(
        UA,
        "For Ukraine, the difference between symbolic reassurance and genuine security "
        "lies in Washington's choice.",
    ),
    about=(US,),
)
S(8, 5)
A(
    PR,
    "Until then, Kyiv will continue to fight on the battlefield, balancing hope in "
    "international promises with the reality of Russian aggression",
    note(
        UA,
        "Ukraine will continue to fight on the battlefield, balancing hope in "
        "international promises with the reality of Russian aggression.",
    ),
    about=("place:kyiv", RU, "event:ukrainian-war"),
)


# ---------------------------------------------------------------------------- writer
def _lit(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _entities(spec: Spec) -> list[str]:
    import re

    found: list[str] = []
    pattern = re.compile(r"\b(" + "|".join(ENTITY_PREFIXES) + r"):[A-Za-z0-9-]+")
    for match in pattern.finditer(spec.content):
        if match.group(0) not in found:
            found.append(match.group(0))
    for extra in spec.about:
        if extra not in found:
            found.append(extra)
    return found


def locate() -> None:
    by_key = {(s.paragraph, s.sentence): s for s in sentences(TEXT)}
    for spec in SPECS:
        sent = by_key[(spec.paragraph, spec.sentence)]
        hits = []
        i = sent.text.find(spec.exact)
        while i >= 0:
            hits.append(i)
            i = sent.text.find(spec.exact, i + 1)
        if not hits:
            raise SystemExit(f"not in ¶{spec.paragraph} s{spec.sentence}: {spec.exact!r}")
        if len(hits) > 1 and spec.nth == 0 and len({h for h in hits}) > 1:
            print(
                f"note: {spec.exact!r} occurs {len(hits)}× in ¶{spec.paragraph} "
                f"s{spec.sentence}; using the first",
                file=sys.stderr,
            )
        spec.start = sent.start + hits[spec.nth]
        spec.end = spec.start + len(spec.exact)
    SPECS.sort(key=lambda s: (s.start, s.order))
    for number, spec in enumerate(SPECS, start=1):
        spec.slug = f"usg-{number:03d}"


def card(spec: Spec, para: tuple[int, int]) -> str:
    prefix = TEXT[max(para[0], spec.start - CONTEXT) : spec.start]
    suffix = TEXT[spec.end : min(para[1], spec.end + CONTEXT)]
    lines = [
        f"a:{spec.slug} a sg:Assertion ;",
        f"    sg:kind {spec.kind} ;",
        f"    sg:paragraph {spec.paragraph} ;",
        f"    sg:sentence {spec.sentence} ;",
    ]
    if spec.speaker:
        lines.append(f"    sg:reportedSpeaker {spec.speaker} ;")
    lines.append(f"    sg:about {', '.join(_entities(spec))} ;")
    lines.append(f'    dcterms:created "{CREATED}"^^xsd:date ;')
    quote = [f"            oa:exact {_lit(spec.exact)}"]
    if prefix:
        quote.append(f"            oa:prefix {_lit(prefix)}")
    if suffix:
        quote.append(f"            oa:suffix {_lit(suffix)}")
    lines += [
        "    prov:wasQuotedFrom [",
        "        oa:hasSelector [",
        "            a oa:TextQuoteSelector ;",
        " ;\n".join(quote),
        "        ] , [",
        "            a oa:TextPositionSelector ;",
        f"            oa:start {spec.start} ;",
        f"            oa:end {spec.end}",
        "        ]",
        "    ] .",
    ]
    return "\n".join(lines)


HEADER = """\
# {slug} — body paragraph {p} of {total}: one nanopublication per atomic claim.
#
# Compact form (expanded by kg/sources.py into the four nanopub graphs):
#   a:usg-NNN {{ … }}       the assertion graph: the content triples, exactly as published;
#   a:usg-NNN a sg:Assertion ; …   (default graph of this file) the provenance card: kind,
#       paragraph/sentence (body paragraphs and sentences counted from 1), reported speaker,
#       main entities, curation date and the quote selectors. oa:start/oa:end are offsets
#       into kg/data/sources/{slug}.txt in Unicode code points (Python str indexes), end
#       exclusive; oa:prefix/oa:suffix are up to {ctx} characters of context in the paragraph.
# Attribution, oa:hasSource, the pubinfo and head graphs are added by kg/sources.py.
# Written by kg/data/tools/author_article.py; kg/quotes.py verifies every selector.
"""


def write() -> None:
    paras = body_paragraphs(TEXT)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("p*.trig"):
        old.unlink()
    for p in range(1, len(paras) + 1):
        specs = [s for s in SPECS if s.paragraph == p]
        chunks = [HEADER.format(slug=SLUG, p=p, total=len(paras), ctx=CONTEXT)]
        chunks.append("\n".join(f"@prefix {k}: <{v}> ." for k, v in PREFIXES.items()))
        for spec in specs:
            body = "\n".join("    " + ln for ln in spec.content.splitlines())
            chunks.append(
                f"# ---- {spec.slug} · ¶{spec.paragraph} s{spec.sentence} · "
                f"{spec.kind.removeprefix('sg:')}\n"
                f"a:{spec.slug} {{\n{body}\n}}\n\n{card(spec, paras[p - 1])}"
            )
        (OUT / f"p{p:02d}.trig").write_text("\n\n".join(chunks) + "\n", encoding="utf-8")
    print(f"wrote {len(SPECS)} assertions in {len(paras)} files to {OUT}")


if __name__ == "__main__":
    locate()
    write()
