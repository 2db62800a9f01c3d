"""Generate synthetic science-diplomacy graphs that follow the sdkg ontology and shapes.

    python bench/generate.py --triples 100k --out /tmp/gen-100k [--seed 1]

Writes Turtle files (one per area, as in ``data/``) into a folder usable as
``sdkg serve --data DIR``, plus ``generator.json`` (parameters, counts and sample
IRIs the benchmark queries use). The same seed and size give the same bytes.

The world: continents, countries and cities; national and international academies,
research institutes (with labs below them), universities in university networks,
research societies, UN agencies and international scientific centres; centres of
excellence hosted by institutes and jointly organized by two academies, within
programmes; partnerships as n-ary nodes with their shortcut properties; fellowship
programmes, people and fellowships; stated quantities with qualifiers.

Provenance follows the contribution gate (``sdkg.gate``, docs/provenance.md): every
statement about an organization, person, programme, partnership or quantity, except
its types, names and ``dcterms:source``, has an ``sdkg:Evidence`` node restating that
exact triple, with ``dcterms:source`` and the words (``prov:value``). The words come
from a few synthetic documents per file, described with a label and an example.org
URL; the repository holds no text of them, so their quotes are reported as Info
"quote not verified". Names are made of invented syllables (English and Chinese), so
no real entity is described and no external identifier is minted (``owl:sameAs`` is
left out: a shapes warning).

The data grows in *units* (a city with an academy, institutes, universities, a centre,
partnerships, people, ...) until the triple count reaches the target.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sdkg.protocol import TURTLE_PREFIXES

# The server's own prefixes: generated files read like the bundled data.
PREFIXES = TURTLE_PREFIXES
ID = PREFIXES["id"]

# Invented syllables with a Chinese transcription, for names in both languages.
SYLLABLES = [
    ("ka", "卡"), ("lo", "洛"), ("ri", "里"), ("ma", "马"), ("ne", "内"), ("ta", "塔"),
    ("si", "西"), ("va", "瓦"), ("ber", "贝"), ("lin", "林"), ("do", "多"), ("ra", "拉"),
    ("ni", "尼"), ("go", "戈"), ("sa", "萨"), ("te", "特"), ("mi", "米"), ("an", "安"),
    ("zu", "祖"), ("po", "波"), ("ke", "克"), ("lu", "卢"), ("da", "达"), ("mo", "莫"),
]  # fmt: skip

# Research areas: slug, English, Chinese (the Chinese names feed the label search).
AREAS = [
    ("physics", "Physics", "物理学"), ("chemistry", "Chemistry", "化学"),
    ("biology", "Biology", "生物学"), ("mathematics", "Mathematics", "数学"),
    ("earth-sciences", "Earth Sciences", "地球科学"), ("astronomy", "Astronomy", "天文学"),
    ("materials-science", "Materials Science", "材料科学"),
    ("information-technology", "Information Technology", "信息技术"),
    ("agricultural-sciences", "Agricultural Sciences", "农业科学"),
    ("medicine", "Medicine", "医学"), ("energy-science", "Energy Science", "能源科学"),
    ("environmental-sciences", "Environmental Sciences", "环境科学"),
    ("marine-sciences", "Marine Sciences", "海洋科学"), ("ecology", "Ecology", "生态学"),
    ("nanotechnology", "Nanotechnology", "纳米技术"),
    ("space-science", "Space Science", "空间科学"),
]  # fmt: skip

CONTINENTS = [
    ("africa", "Africa"), ("asia", "Asia"), ("europe", "Europe"),
    ("north-america", "North America"), ("south-america", "South America"),
    ("oceania", "Oceania"),
]  # fmt: skip

QUALIFIERS = ["over", "more-than", "some", "approximately"]
NATIONAL_ROLES = [("national-academy", "national academy"), ("think-tank", "national think tank")]
OPPORTUNITIES = [("study", "study"), ("training", "training"), ("work", "work")]
N_COUNTRIES = 48
#: Synthetic source documents per Turtle file: the facts of a file cite its documents.
DOCUMENTS_PER_FILE = 3
SMALL_WORDS = {"of", "for", "and", "the", "in"}


# --------------------------------------------------------------------------- terms


def esc(text: str) -> str:
    """Escape a string for a Turtle double-quoted literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def en(text: str) -> str:
    return f'"{esc(text)}"@en'


def zh(text: str) -> str:
    return f'"{esc(text)}"@zh-Hans'


def plain(text: str) -> str:
    return f'"{esc(text)}"'


def year(value: int) -> str:
    return f'"{value}"^^xsd:gYear'


def date(y: int, m: int, d: int) -> str:
    return f'"{y:04d}-{m:02d}-{d:02d}"^^xsd:date'


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def acronym_of(label: str) -> str:
    """Initials of the words that are not small words: 'Institute of Physics' -> 'IP'."""
    return "".join(w[0].upper() for w in label.replace("-", " ").split() if w not in SMALL_WORDS)


#: One statement that needs evidence: predicate, object (Turtle) and the words saying it.
Fact = tuple[str, str, str]
#: A ``(predicate, object or objects)`` pair of :meth:`TurtleFile.node`.
Pair = tuple[str, str | list[str]]


def research_area(label: str, slug: str, area: str) -> Fact:
    """The research area of the organization named ``label``."""
    return ("sdkg:researchArea", f"id:{slug}", f"The {label} works in {area.lower()}.")


def audience(label: str) -> Fact:
    """``label`` (a programme or centre) addresses researchers from developing countries."""
    return ("schema:audience", "id:researchers-from-developing-countries",
            f"{label} is open to researchers from developing countries.")  # fmt: skip


def opportunities(label: str) -> list[Fact]:
    """``label`` offers every kind of opportunity, in one sentence."""
    kinds = [kind for _, kind in OPPORTUNITIES]
    words = f"{label} offers opportunities for {', '.join(kinds[:-1])} and {kinds[-1]}."
    return [("sdkg:offersOpportunity", f"id:opportunity-{s}", words) for s, _ in OPPORTUNITIES]


@dataclass(frozen=True)
class Thing:
    """An entity already written: its prefixed name and its names for labels and text."""

    iri: str  # prefixed name, e.g. id:academy-3
    name: str
    name_zh: str = ""


# --------------------------------------------------------------------------- output


class TurtleFile:
    """One Turtle file of the generated folder; counts the triples it writes."""

    def __init__(self, path: Path, comment: str, counter: Counter[str]) -> None:
        self.path = path
        self.counter = counter
        self.key = path.name
        self.handle: TextIO = path.open("w", encoding="utf-8")
        self.handle.write(f"# {comment}\n# Synthetic data from bench/generate.py.\n\n")
        for prefix, namespace in PREFIXES.items():
            self.handle.write(f"@prefix {prefix}: <{namespace}> .\n")
        self.handle.write("\n")

    def node(self, subject: str, *pairs: Pair) -> None:
        """Write ``subject p1 o1 ; p2 o2a , o2b .``; an empty object list is skipped."""
        parts = []
        for predicate, objects in pairs:
            values = objects if isinstance(objects, list) else [objects]
            if values:
                parts.append(f"{predicate} {' , '.join(values)}")
                self.counter[self.key] += len(values)
        self.handle.write(f"{subject} " + " ;\n    ".join(parts) + " .\n")

    def evidence(self, subject: str, predicate: str, obj: str, source: str, words: str) -> None:
        """An sdkg:Evidence node stating one fact with its source and words."""
        self.handle.write(
            f"[] a sdkg:Evidence ; rdf:subject {subject} ; rdf:predicate {predicate} ; "
            f"rdf:object {obj} ;\n    dcterms:source {source} ; prov:value {en(words)} .\n"
        )
        self.counter[self.key] += 6

    def close(self) -> None:
        self.handle.close()


# --------------------------------------------------------------------------- generator


#: The Turtle files of a generated folder: name, header comment, what its documents report.
FILES = (
    ("vocabulary", "Documents, concept schemes and concepts.", "research areas and roles"),
    ("places", "Continents, countries and cities.", "countries and cities"),
    ("organizations", "Academies, institutes, universities, networks, agencies.",
     "academies, institutes and universities"),
    ("centres", "Programmes, centres of excellence, fellowship programmes.",
     "centres of excellence and programmes"),
    ("partnerships", "Partnerships as n-ary nodes, with their shortcuts.",
     "university partnerships"),
    ("people", "People and their fellowships.", "fellows and researchers"),
    ("quantities", "Stated quantities with qualifiers.", "figures of science institutions"),
)  # fmt: skip


class Generator:
    """Writes the synthetic world into ``out`` until ``target`` triples are reached."""

    def __init__(self, out: Path, target: int, seed: int) -> None:
        self.out = out
        self.target = target
        self.seed = seed
        self.random = random.Random(seed)
        self.counter: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        out.mkdir(parents=True, exist_ok=True)
        self.files = {
            name: TurtleFile(out / f"{name}.ttl", comment, self.counter)
            for name, comment, _ in FILES
        }
        self.documents: dict[str, list[str]] = {}  # file -> the documents its facts cite
        self.countries: list[Thing] = []
        self.country_continent: dict[str, str] = {}
        self.international_academies: list[Thing] = []
        self.networks: list[Thing] = []
        self.agencies: list[Thing] = []
        self.programmes: list[Thing] = []
        self.fellowship_programmes: list[Thing] = []
        self.organizations: list[Thing] = []  # every formal organization, for partners
        self.cities: list[Thing] = []
        self.unit_country = Thing("", "")  # the country of the unit being written
        self.samples: dict[str, str] = {}
        self.lookup: list[str] = []
        self.search_zh = ""  # a Chinese research-area name in labels, for the label search

    @property
    def triples(self) -> int:
        return sum(self.counter.values())

    # -- helpers

    def name(self, syllables: int) -> tuple[str, str]:
        """An invented name in English and its Chinese transcription."""
        picked = [self.random.choice(SYLLABLES) for _ in range(syllables)]
        return "".join(s for s, _ in picked).capitalize(), "".join(c for _, c in picked)

    def source(self, file: str) -> str:
        """One of the synthetic documents that the statements of ``file`` cite."""
        return self.random.choice(self.documents[file])

    def write(
        self,
        file: str,
        subject: str,
        source: str,
        facts: Iterable[Fact],
        *names: Pair,
        cite: bool = True,
    ) -> None:
        """``subject`` with its ``names`` (types, labels: they need no evidence), its
        ``facts`` and (when ``cite``) ``dcterms:source source``; then one evidence node
        per fact restating its exact triple, with the words ``source`` says it in."""
        facts = list(facts)
        objects: dict[str, list[str]] = {}
        for predicate, obj, _ in facts:
            objects.setdefault(predicate, []).append(obj)
        target = self.files[file]
        target.node(subject, *names, *objects.items(), ("dcterms:source", source if cite else []))
        for predicate, obj, words in facts:
            target.evidence(subject, predicate, obj, source, words)

    # -- fixed part: documents, concepts, places

    def vocabulary(self) -> None:
        vocab = self.files["vocabulary"]
        for file, _, topic in FILES:
            self.documents[file] = []
            for k in range(1, DOCUMENTS_PER_FILE + 1):
                slug = f"synthetic-report-{file}-{k}"
                vocab.node(
                    f"id:{slug}",
                    ("a", ["foaf:Document", "prov:Entity"]),
                    ("rdfs:label", en(f"Synthetic report on {topic}, part {k}")),
                    ("dcterms:title", en(f"Report on {topic} in international cooperation")),
                    ("dcterms:issued", year(2000 + 5 * k)),
                    # A described document without text: its quotes are "not verified".
                    ("foaf:homepage", f"<https://example.org/sdkg-synthetic/{slug}>"),
                )
                self.documents[file].append(f"id:{slug}")
        self.samples["document"] = self.documents["organizations"][0]
        schemes = {
            "research-areas": "Research areas",
            "quantity-qualifiers": "Quantity qualifiers",
            "partnership-kinds": "Partnership kinds",
            "roles": "Roles",
            "audiences": "Audiences",
            "opportunity-kinds": "Opportunity kinds",
            "national-roles": "National roles",
        }
        for slug, label in schemes.items():
            vocab.node(
                f"id:{slug}",
                ("a", "skos:ConceptScheme"),
                ("rdfs:label", en(label)),
                ("dcterms:source", self.source("vocabulary")),
            )
        for slug, label, chinese in AREAS:
            self.concept(slug, label, "research-areas", chinese=chinese)
        for slug in QUALIFIERS:
            self.concept(f"qualifier-{slug}", slug.replace("-", " "), "quantity-qualifiers")
        self.concept("joint-research", "joint research", "partnership-kinds")
        self.concept("joint-education", "joint education", "partnership-kinds")
        self.concept("role-fellow", "fellow", "roles", extra_types=["org:Role"])
        self.concept(
            "researchers-from-developing-countries",
            "researchers from developing countries",
            "audiences",
            extra_types=["schema:Audience"],
        )
        for slug, label in OPPORTUNITIES:
            self.concept(f"opportunity-{slug}", label, "opportunity-kinds")
        for slug, label in NATIONAL_ROLES:
            self.concept(f"role-{slug}", label, "national-roles")

    def concept(
        self,
        slug: str,
        label: str,
        scheme: str,
        *,
        chinese: str | None = None,
        extra_types: list[str] | None = None,
    ) -> None:
        names = [en(label)] + ([zh(chinese)] if chinese else [])
        self.files["vocabulary"].node(
            f"id:{slug}",
            ("a", ["skos:Concept", *(extra_types or [])]),
            ("rdfs:label", en(label)),
            ("skos:prefLabel", names),
            ("skos:inScheme", f"id:{scheme}"),
            ("skos:topConceptOf", f"id:{scheme}"),
            ("dcterms:source", self.source("vocabulary")),
        )

    def places(self) -> None:
        places = self.files["places"]
        for slug, label in CONTINENTS:
            places.node(
                f"id:{slug}",
                ("a", "schema:Continent"),
                ("rdfs:label", en(label)),
                ("dcterms:source", self.source("places")),
            )
        for i in range(1, N_COUNTRIES + 1):
            name, name_zh = self.name(2)
            country = Thing(f"id:country-{i}", f"{name}ia", f"{name_zh}亚")
            continent = f"id:{CONTINENTS[i % len(CONTINENTS)][0]}"
            places.node(
                country.iri,
                ("a", "schema:Country"),
                ("rdfs:label", en(country.name)),
                ("skos:prefLabel", [en(f"Republic of {country.name}"), zh(country.name_zh)]),
                ("schema:containedInPlace", continent),
                ("dcterms:source", self.source("places")),
            )
            self.countries.append(country)
            self.country_continent[country.iri] = continent
        self.kinds["schema:Country"] = N_COUNTRIES

    # -- organizations

    def organization(
        self,
        iri: str,
        kind: str,
        label: str,
        label_zh: str,
        *,
        city: Thing | None = None,
        founded: int | None = None,
        facts: tuple[Fact, ...] = (),
        file: str = "organizations",
    ) -> Thing:
        """A formal organization (or centre) with the labels and acronym the shapes ask
        for, its location, founding date and ``facts``, each with its evidence."""
        thing = Thing(iri, label, label_zh)
        acronym = acronym_of(label)
        stated: list[Fact] = [
            ("sdkg:acronym", plain(acronym), f"the {label} ({acronym})"),
        ]
        if founded:
            stated.append(("schema:foundingDate", year(founded),
                           f"The {label} was founded in {founded}."))  # fmt: skip
        if city:
            stated.append(("schema:location", city.iri,
                           f"The {label} ({acronym}) is located in {city.name}."))  # fmt: skip
        stated.extend(facts)
        self.write(
            file,
            iri,
            self.source(file),
            stated,
            ("a", ["org:Organization", kind]),
            ("rdfs:label", en(label)),
            ("skos:prefLabel", [en(label), zh(label_zh)]),
        )
        self.kinds[kind] += 1
        if kind != "sdkg:CentreOfExcellence":
            self.organizations.append(thing)
        return thing

    def world_organization(self, unit: int) -> None:
        """Every few units, an organization that spans countries."""
        r = self.random
        if unit % 20 == 1:
            name, name_zh = self.name(2)
            city = self.cities[-1]
            self.international_academies.append(
                self.organization(
                    f"id:international-academy-{len(self.international_academies) + 1}",
                    "sdkg:InternationalAcademy",
                    f"{name} International Academy of Sciences",
                    f"{name_zh}国际科学院",
                    city=city,
                    founded=r.randint(1950, 2000),
                )
            )
        if unit % 10 == 1:
            name, name_zh = self.name(2)
            self.networks.append(
                self.organization(
                    f"id:university-network-{len(self.networks) + 1}",
                    "sdkg:UniversityNetwork",
                    f"{name} University Network",
                    f"{name_zh}大学联盟",
                    founded=r.randint(1980, 2020),
                )
            )
        if unit % 40 == 1:
            slug, area, area_zh = r.choice(AREAS)
            n = len(self.agencies) + 1
            label = f"United Nations Agency for {area} {n}"
            self.agencies.append(
                self.organization(
                    f"id:un-agency-{n}",
                    "sdkg:UNAgency",
                    label,
                    f"联合国{area_zh}署{n}",
                    city=self.cities[-1],
                    founded=r.randint(1945, 1980),
                    facts=(research_area(label, slug, area),),
                )
            )
        if unit % 20 == 2:
            name, name_zh = self.name(2)
            slug, area, area_zh = r.choice(AREAS)
            agency = r.choice(self.agencies)
            label = f"{name} International Centre for {area}"
            centre = self.organization(
                f"id:international-centre-{unit}",
                "sdkg:InternationalScientificCentre",
                label,
                f"{name_zh}国际{area_zh}中心",
                city=self.cities[-1],
                founded=r.randint(1960, 2010),
                facts=(
                    ("org:subOrganizationOf", agency.iri, f"{label} is part of {agency.name}."),
                    ("sdkg:administeredBy", agency.iri, f"{agency.name} administers {label}."),
                    research_area(label, slug, area),
                ),
            )
            self.organizations.append(centre)
        if unit % 30 == 4:
            name, name_zh = self.name(2)
            slug, area, area_zh = r.choice(AREAS)
            label = f"{name} Organization for {area} Research"
            self.organization(
                f"id:international-research-organization-{unit}",
                "sdkg:InternationalResearchOrganization",
                label,
                f"{name_zh}{area_zh}研究组织",
                city=self.cities[-1],
                founded=r.randint(1950, 2015),
                facts=(research_area(label, slug, area),),
            )
        if unit % 5 == 3:
            slug, area, area_zh = r.choice(AREAS)
            country = self.unit_country
            label = f"{country.name} Society of {area} {unit}"
            self.organization(
                f"id:research-society-{unit}",
                "sdkg:ResearchSociety",
                label,
                f"{country.name_zh}{area_zh}学会{unit}",
                city=self.cities[-1],
                founded=r.randint(1900, 2010),
                facts=(research_area(label, slug, area),),
            )

    # -- one unit of the world

    def unit(self, u: int) -> None:
        r = self.random
        places = self.files["places"]
        country = self.countries[r.randrange(len(self.countries))]
        self.unit_country = country
        city_name, city_zh = self.name(r.randint(2, 3))
        city = Thing(f"id:city-{u}", city_name, f"{city_zh}市")
        places.node(
            city.iri,
            ("a", "schema:City"),
            ("rdfs:label", en(city.name)),
            ("skos:prefLabel", zh(city.name_zh)),
            ("schema:containedInPlace", country.iri),
            ("dcterms:source", self.source("places")),
        )
        self.kinds["schema:City"] += 1
        self.cities.append(city)
        self.samples.setdefault("country", country.iri)
        self.samples.setdefault("continent", self.country_continent[country.iri])
        self.world_organization(u)

        academy_founded = r.randint(1900, 1990)
        label = f"{city.name} Academy of Sciences of {country.name}"
        roles = " and ".join(role for _, role in NATIONAL_ROLES)
        academy = self.organization(
            f"id:academy-{u}",
            "sdkg:NationalAcademy",
            label,
            f"{country.name_zh}{city.name_zh}科学院",
            city=city,
            founded=academy_founded,
            facts=(
                ("schema:areaServed", country.iri, f"The {label} serves {country.name}."),
                *(
                    ("sdkg:nationalRole", f"id:role-{slug}",
                     f"The {label} is the {roles} of {country.name}.")
                    for slug, _ in NATIONAL_ROLES
                ),
            ),
        )  # fmt: skip
        self.samples.setdefault("academy", academy.iri)

        institutes = []
        areas = r.sample(AREAS, 3)
        for k, (slug, area, area_zh) in enumerate(areas, start=1):
            label = f"Institute of {area} of the {academy.name}"
            institute = self.organization(
                f"id:institute-{u}-{k}",
                "sdkg:ResearchInstitute",
                label,
                f"{academy.name_zh}{area_zh}研究所",
                city=city,
                founded=r.randint(academy_founded, 2015),
                facts=(
                    ("org:subOrganizationOf", academy.iri,
                     f"The {label} belongs to the {academy.name}."),
                    research_area(label, slug, area),
                ),
            )  # fmt: skip
            institutes.append((institute, slug, area, area_zh))
        # A laboratory below the first institute: sub-organization chains of depth two.
        parent, slug, area, area_zh = institutes[0]
        label = f"{city.name} Key Laboratory of {area}"
        self.organization(
            f"id:laboratory-{u}",
            "sdkg:ResearchInstitute",
            label,
            f"{city.name_zh}{area_zh}重点实验室",
            city=city,
            founded=r.randint(1990, 2020),
            facts=(
                ("org:subOrganizationOf", parent.iri,
                 f"The {label} is a laboratory of the {parent.name}."),
                research_area(label, slug, area),
            ),
        )  # fmt: skip

        universities = []
        for k, (label, label_zh) in enumerate(
            [
                (f"University of {city.name}", f"{city.name_zh}大学"),
                (f"{city.name} University of Science and Technology", f"{city.name_zh}科技大学"),
            ],
            start=1,
        ):
            network = r.choice(self.networks)
            university = self.organization(
                f"id:university-{u}-{k}",
                "sdkg:University",
                label,
                label_zh,
                city=city,
                founded=r.randint(1900, 2010),
                facts=(
                    ("org:memberOf", network.iri,
                     f"The {label} is a member of the {network.name}."),
                ),
            )  # fmt: skip
            universities.append(university)
            self.quantity(university, "sdkg:numberOfStudents", "students", r.randint(2, 60) * 500)
        self.quantity(academy, "sdkg:numberOfScientists", "scientists", r.randint(5, 200) * 100)
        self.quantity(academy, "sdkg:numberOfResearchInstitutes", "research institutes", 3)
        if u % 3 == 0 and self.international_academies:
            self.quantity(r.choice(self.international_academies), "sdkg:numberOfCountries",
                          "countries", r.randint(20, 150))  # fmt: skip

        self.programmes_of_unit(u)
        self.centre(u, academy, institutes, city)
        for university in universities:
            self.partnership(university)
        self.people(u, country, [academy, *universities, *(i for i, *_ in institutes)])
        self.lookup.append(f"{ID}{academy.iri[3:]}")
        self.lookup.append(f"{ID}{universities[0].iri[3:]}")

    def programmes_of_unit(self, u: int) -> None:
        """Every five units, a centres programme and a fellowship programme."""
        if u % 5 != 1:
            return
        r = self.random
        organizers = [r.choice(self.international_academies), r.choice(self.organizations)]
        organizers = list({o.iri: o for o in organizers}.values())
        city = self.cities[-1]
        n = len(self.programmes) + 1
        for kind, label, store in (
            ("sdkg:Programme", f"Centres of Excellence Programme {n}", self.programmes),
            ("sdkg:FellowshipProgramme", f"President's Fellowship {n}", self.fellowship_programmes),
        ):
            slug = "programme" if kind == "sdkg:Programme" else "fellowship-programme"
            programme = Thing(f"id:{slug}-{n}", label)
            self.samples.setdefault(slug, programme.iri)
            aim = f"to build bridges between science and diplomacy ({n})"
            self.write(
                "centres",
                programme.iri,
                self.source("centres"),
                [
                    ("sdkg:principalAim", en(aim), f"{label} aims {aim}."),
                    *(
                        ("sdkg:jointlyOrganizedBy", o.iri, f"{label} is organized by {o.name}.")
                        for o in organizers
                    ),
                    audience(label),
                    *opportunities(label),
                    ("schema:location", city.iri, f"{label} is run from {city.name}."),
                ],
                ("a", kind),
                ("rdfs:label", en(label)),
            )
            store.append(programme)
            self.kinds[kind] += 1

    def centre(self, u: int, academy: Thing, institutes: list, city: Thing) -> None:
        """A centre of excellence hosted by one institute, organized by two academies."""
        r = self.random
        host, slug, area, area_zh = r.choice(institutes)
        partner = r.choice(self.international_academies)
        programme = self.programmes[-1]
        label = f"{city.name} Centre of Excellence for {area}"
        centre = self.organization(
            f"id:centre-{u}",
            "sdkg:CentreOfExcellence",
            label,
            f"{city.name_zh}{area_zh}卓越中心",
            city=city,
            facts=(
                ("sdkg:hostedBy", host.iri, f"The {label} is hosted by the {host.name}."),
                *(
                    ("sdkg:jointlyOrganizedBy", o.iri, f"The {label} is organized by the {o.name}.")
                    for o in (academy, partner)
                ),
                research_area(label, slug, area),
                ("dcterms:isPartOf", programme.iri, f"The {label} is one of the {programme.name}."),
                audience(f"The {label}"),
                *opportunities(f"The {label}"),
            ),
            file="centres",
        )
        self.samples.setdefault("centre", centre.iri)
        self.search_zh = self.search_zh or area_zh

    def partnership(self, university: Thing) -> None:
        """A partnership node with two partners, and the shortcut facts beside it."""
        r = self.random
        partner = r.choice(self.organizations)
        while partner.iri == university.iri:
            partner = r.choice(self.organizations)
        kinds = r.choice([["joint-research"], ["joint-education"],
                          ["joint-research", "joint-education"]])  # fmt: skip
        started = (r.randint(1990, 2024), r.randint(1, 12), r.randint(1, 28))
        # One sentence of the document states the whole partnership.
        words = (
            f"On {'-'.join(f'{n:02d}' for n in started)} the {university.name} and the "
            f"{partner.name} agreed on {' and '.join(k.replace('-', ' ') for k in kinds)}."
        )
        source = self.source("partnerships")
        self.write(
            "partnerships",
            f"id:partnership-{university.iri[3:]}-{partner.iri[3:]}",
            source,
            [
                ("sdkg:partner", university.iri, words),
                ("sdkg:partner", partner.iri, words),
                *(("sdkg:partnershipKind", f"id:{k}", words) for k in kinds),
                ("schema:startDate", date(*started), words),
            ],
            ("a", "sdkg:Partnership"),
            ("rdfs:label", en(f"Partnership of the {university.name} with the {partner.name}")),
        )
        shortcuts = {"joint-research": "sdkg:jointResearchPartner",
                     "joint-education": "sdkg:educationPartner"}  # fmt: skip
        # The shortcuts on the university, backed by the same sentence; the university
        # already cites its sources in organizations.ttl.
        self.write("partnerships", university.iri, source,
                   [(shortcuts[k], partner.iri, words) for k in kinds], cite=False)  # fmt: skip
        self.kinds["sdkg:Partnership"] += 1

    def people(self, u: int, country: Thing, employers: list[Thing]) -> None:
        """Five people; two of them hold a fellowship at one of the unit's organizations."""
        r = self.random
        file = self.files["people"]
        for k in range(1, 6):
            given, given_zh = self.name(2)
            family, family_zh = self.name(1)
            person = Thing(f"id:person-{u}-{k}", f"{given} {family}", family_zh + given_zh)
            employer = r.choice(employers)
            fellow = k <= 2
            programme = r.choice(self.fellowship_programmes)
            source = self.source("people")
            facts: list[Fact] = [
                ("schema:nationality", country.iri, f"{person.name}, citizen of {country.name}"),
                ("schema:affiliation", employer.iri, f"{person.name} works at {employer.name}."),
            ]
            if fellow:
                facts.append(("sdkg:fellowOf", programme.iri,
                              f"{person.name} is a fellow of the {programme.name}."))  # fmt: skip
            self.write(
                "people",
                person.iri,
                source,
                facts,
                ("a", "foaf:Person"),
                ("rdfs:label", en(person.name)),
                ("foaf:name", plain(person.name)),
                ("skos:prefLabel", [en(person.name), zh(person.name_zh)]),
            )
            self.kinds["foaf:Person"] += 1
            if not fellow:
                continue
            file.node(
                f"id:fellowship-{u}-{k}",
                ("a", "sdkg:Fellowship"),
                ("rdfs:label", en(f"{person.name}, {programme.name} fellow at {employer.name}")),
                ("org:member", person.iri),
                ("org:organization", employer.iri),
                ("org:role", "id:role-fellow"),
                ("sdkg:programme", programme.iri),
                ("schema:startDate", date(r.randint(2000, 2024), r.randint(1, 12), 1)),
                ("dcterms:source", source),
            )
            self.kinds["sdkg:Fellowship"] += 1

    def quantity(self, owner: Thing, prop: str, unit_text: str, value: int) -> None:
        """A stated quantity node and the link to it, every statement backed by the one
        sentence that states the figure."""
        r = self.random
        self.kinds["schema:QuantitativeValue"] += 1
        iri = f"id:quantity-{self.kinds['schema:QuantitativeValue']}"
        qualifier = r.choice([None, *QUALIFIERS])
        when = r.randint(2000, 2024)
        figure = f"{qualifier.replace('-', ' ') + ' ' if qualifier else ''}{value} {unit_text}"
        words = f"The {owner.name} counts {figure} in {when}."
        source = self.source("quantities")
        facts: list[Fact] = [("schema:value", str(value), words)]
        if qualifier:
            facts.append(("sdkg:qualifier", f"id:qualifier-{qualifier}", words))
        facts.append(("schema:unitText", en(unit_text), words))
        facts.append(("sdkg:pointInTime", year(when), words))
        self.write(
            "quantities",
            iri,
            source,
            facts,
            ("a", "schema:QuantitativeValue"),
            ("rdfs:label", en(f"{figure} ({when})")),
        )
        # The link from its owner, in the same file; the owner cites its sources elsewhere.
        self.write("quantities", owner.iri, source, [(prop, iri, words)], cite=False)

    # -- driver

    def run(self) -> dict:
        started = time.perf_counter()
        self.vocabulary()
        self.places()
        u = 0
        while self.triples < self.target:
            u += 1
            self.unit(u)
        for file in self.files.values():
            file.close()
        picker = random.Random(self.seed + 1)
        meta = {
            "generator": "bench/generate.py",
            "seed": self.seed,
            "target_triples": self.target,
            "triples": self.triples,
            "units": u,
            "files": {f"{k}": v for k, v in sorted(self.counter.items())},
            "entities": dict(sorted(self.kinds.items())),
            "samples": {k: ID + v[3:] for k, v in self.samples.items()},
            "search_zh": self.search_zh,
            "lookup": picker.sample(self.lookup, min(256, len(self.lookup))),
            "seconds": round(time.perf_counter() - started, 2),
        }
        (self.out / "generator.json").write_text(json.dumps(meta, indent=2) + "\n")
        return meta


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 10k, 100k or 1M")
    number, unit = float(match[1]), match[2].lower()
    value = int(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])
    if value < 1_000:
        raise argparse.ArgumentTypeError("the smallest size is 1k triples")
    return value


def generate(out: Path, triples: int, seed: int = 1) -> dict:
    """Write a synthetic graph of about ``triples`` triples into ``out``; return its metadata."""
    for old in out.glob("*.ttl"):
        old.unlink()
    return Generator(out, triples, seed).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=parse_size, required=True, help="10k, 100k, 1M, ...")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} exists and is not a folder")
    meta = generate(args.out, args.triples, args.seed)
    print(
        f"wrote {meta['triples']} triples ({meta['units']} units) to {args.out} "
        f"in {meta['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
