"""The facts of the fact sheet, asked of the graph in SPARQL: who, what, how much, when, where."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from rdflib import Graph
from rdflib.namespace import XSD

from hled_graph import resources
from hled_graph.graph import load_graph, parse_files
from hled_graph.namespaces import PREFIXES, SPARQL_PROLOGUE

HDA, HDO, HDL, HDW = (PREFIXES[p] for p in ("hda", "hdo", "hdl", "hdw"))


@pytest.fixture(scope="module")
def graph() -> Graph:
    return parse_files(resources.data_files())


def rows(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(SPARQL_PROLOGUE + query)]


def local(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1]


def agents(graph: Graph, action: str) -> dict[str, set[str]]:
    """Agent local name -> roles, from the qualified associations of ``hda:<action>``."""
    result: dict[str, set[str]] = {}
    for agent, role in rows(
        graph,
        f"SELECT ?agent ?role WHERE {{ hda:{action} prov:qualifiedAssociation "
        f"[ a prov:Association ; prov:agent ?agent ; prov:hadRole ?role ] ; prov:wasAssociatedWith ?agent }}",
    ):
        result.setdefault(local(agent), set()).add(str(role).rsplit("#", 1)[-1].removesuffix("Role"))
    return result


def values(graph: Graph, action: str, path: str) -> set:
    return {row[0] for row in rows(graph, f"SELECT ?v WHERE {{ hda:{action} {path} ?v }}")}


def action_class(graph: Graph, action: str) -> str:
    (cls,) = {
        local_class
        for (c,) in rows(graph, f"SELECT ?c WHERE {{ hda:{action} a ?c }}")
        if str(c).startswith(PREFIXES["hled"])
        for local_class in [str(c).rsplit("#", 1)[-1]]
    }
    return cls


def ask(graph: Graph, query: str) -> bool:
    return bool(graph.query(SPARQL_PROLOGUE + query).askAnswer)


def status(graph: Graph, action: str) -> str:
    (found,) = values(graph, action, "hled:status")
    return local(found)


def concerns(graph: Graph, action: str) -> set[str]:
    return {local(v) for v in values(graph, action, "hled:concerns")}


def pillar(graph: Graph, action: str) -> set[str]:
    return {local(p) for p in values(graph, action, "hled:pillar")}


def times(graph: Graph, action: str) -> set[tuple[str, str]]:
    """(lexical form, datatype local name) of the instants of an action's time."""
    found = rows(
        graph,
        f"""SELECT ?v WHERE {{
              hda:{action} time:hasTime ?t .
              {{ ?t ?p ?v }} UNION {{ ?t time:hasBeginning|time:hasEnd ?i . ?i ?p ?v }}
              FILTER(?p IN (time:inXSDDate, time:inXSDgYearMonth, time:inXSDgYear))
            }}""",
    )
    return {(str(v), str(v.datatype).rsplit("#", 1)[-1]) for (v,) in found}


def amounts(graph: Graph, action: str) -> list[tuple[Decimal, str]]:
    found = rows(
        graph,
        f"SELECT ?v ?c WHERE {{ hda:{action} hled:amount [ a schema:MonetaryAmount ; schema:value ?v ; schema:currency ?c ] }}",
    )
    assert all(v.datatype == XSD.decimal for v, _ in found)
    return [(v.toPython(), str(c)) for v, c in found]


def quantities(graph: Graph, action: str) -> set[tuple[int, str, bool]]:
    """The counts on an action as (number, unit, at least): "at least N" is a schema:minValue, an exact N a schema:value."""
    found = rows(
        graph,
        f"""SELECT ?v ?unit ?lower WHERE {{
              hda:{action} hled:quantity ?q .
              ?q a schema:QuantitativeValue ; schema:unitText ?unit .
              {{ ?q schema:value ?v BIND (false AS ?lower) }} UNION {{ ?q schema:minValue ?v BIND (true AS ?lower) }}
            }}""",
    )
    assert all(v.datatype == XSD.integer for v, _, _ in found)
    return {(v.toPython(), str(unit), lower.toPython()) for v, unit, lower in found}


def places(graph: Graph, action: str) -> set[str]:
    return {local(p) for p in values(graph, action, "prov:atLocation")}


# --- the document, the dialogue, the pillars -------------------------------------------------


def test_the_white_house_original_and_the_paraphrased_copy_are_two_documents(graph: Graph) -> None:
    ((issued, publisher, page, round_),) = rows(
        graph,
        """SELECT ?issued ?publisher ?page ?round WHERE {
             hd:fact-sheet-2022 a foaf:Document ; dcterms:issued ?issued ; dcterms:publisher ?publisher ;
               foaf:page ?page ; hled:publishedAt ?round }""",
    )
    assert (str(issued), issued.datatype, local(publisher), local(round_)) == ("2022-09-12", XSD.date, "white-house", "2022")
    assert str(page).startswith("https://www.whitehouse.gov/briefing-room/statements-releases/2022/09/12/")
    ((copy_issued, original, file_name, algorithm, checksum),) = rows(
        graph,
        """SELECT ?issued ?original ?file ?algorithm ?sum WHERE {
             hd:fact-sheet-2022-copy a foaf:Document ; dcterms:issued ?issued ; prov:wasDerivedFrom ?original ;
               hled:sourceFile ?file ; spdx:checksum [ spdx:algorithm ?algorithm ; spdx:checksumValue ?sum ] }""",
    )
    assert (str(copy_issued), local(original), str(file_name)) == ("2022-09-13", "fact-sheet-2022", "hled-2022-fact-sheet.txt")
    assert str(algorithm) == "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
    assert (str(checksum), checksum.datatype) == (
        hashlib.sha256(resources.source_text_file(str(file_name)).read_bytes()).hexdigest(),
        XSD.hexBinary,
    )
    sources = {local(s) for (s,) in rows(graph, "SELECT DISTINCT ?s WHERE { ?q oa:hasTarget/oa:hasSource ?s }")}
    assert sources == {"fact-sheet-2022-copy"}
    motivations = {local(m) for (m,) in rows(graph, "SELECT DISTINCT ?m WHERE { ?q oa:motivatedBy ?m }")}
    assert motivations == {"oa#identifying"}


def test_dialogue_has_names_in_both_languages_members_and_pillars(graph: Graph) -> None:
    labels = {(str(v), v.language) for (v,) in rows(graph, "SELECT ?v WHERE { hd:hled skos:prefLabel ?v }")}
    assert labels == {
        ("High-Level Economic Dialogue", "en"),
        ("Diálogo Económico de Alto Nivel", "es"),
    }
    assert ("HLED",) in {(str(v),) for (v,) in rows(graph, "SELECT ?v WHERE { hd:hled skos:altLabel ?v }")}
    members = {local(m) for (m,) in rows(graph, "SELECT ?m WHERE { hd:hled a hled:Dialogue ; org:hasMember ?m }")}
    assert members == {"us-government", "mexico-government"}
    assert len(rows(graph, "SELECT ?p WHERE { hd:hled hled:hasPillar ?p }")) == 4


def test_four_pillars_with_titles_numbers_and_aims(graph: Graph) -> None:
    found = rows(
        graph,
        """SELECT ?n ?notation ?title ?aim WHERE {
             ?p a hled:Pillar ; skos:inScheme hd:pillars ; hled:pillarNumber ?n ; skos:notation ?notation ;
                skos:prefLabel ?title ; skos:definition ?aim } ORDER BY ?n""",
    )
    assert [(n.toPython(), str(no), str(t)) for n, no, t, _ in found] == [
        (1, "I", "Building Back Together"),
        (
            2,
            "II",
            "Promoting Sustainable Economic and Social Development in Southern Mexico and Central America",
        ),
        (3, "III", "Securing the Tools for Future Prosperity"),
        (4, "IV", "Investing in Our People"),
    ]
    assert all(n.datatype == XSD.integer for n, *_ in found)
    assert "lawful trade and travel" in str(found[0][3])
    assert "northern Central America and southern Mexico" in str(found[1][3])
    assert "LGBTQI+" in str(found[3][3])


# --- the introduction -------------------------------------------------------------------------


def test_relaunch_by_the_two_presidents_in_2021(graph: Graph) -> None:
    assert action_class(graph, "hled-relaunch") == "Launch"
    assert agents(graph, "hled-relaunch") == {
        "joseph-biden": {"lead"},
        "andres-manuel-lopez-obrador": {"lead"},
    }
    assert times(graph, "hled-relaunch") == {("2021", "gYear")}
    assert pillar(graph, "hled-relaunch") == set()
    ((title,),) = rows(graph, "SELECT ?t WHERE { hdp:joseph-biden schema:jobTitle ?t }")
    assert str(title) == "President of the United States"


def test_at_least_21_outreach_engagements_between_two_dates(graph: Graph) -> None:
    assert action_class(graph, "stakeholder-outreach") == "Outreach"
    assert quantities(graph, "stakeholder-outreach") == {(21, "stakeholder outreach engagements", True)}
    ((begin, end),) = rows(
        graph,
        """SELECT ?b ?e WHERE { hda:stakeholder-outreach time:hasTime [ a time:ProperInterval ;
             time:hasBeginning/time:inXSDDate ?b ; time:hasEnd/time:inXSDDate ?e ] }""",
    )
    assert (str(begin), str(end)) == ("2021-08-31", "2022-09-12")
    assert begin.datatype == end.datatype == XSD.date
    assert agents(graph, "stakeholder-outreach") == {
        "us-government": {"host"},
        "mexico-government": {"host"},
        "civil-society": {"participant"},
        "private-sector": {"participant"},
        "academia": {"participant"},
        "ngos": {"participant"},
    }


# --- Pillar I ---------------------------------------------------------------------------------


def test_supply_chain_working_group_established_by_both_governments(graph: Graph) -> None:
    action = "supply-chain-working-group-establishment"
    assert (action_class(graph, action), pillar(graph, action)) == ("Establishment", {"1"})
    assert {local(v) for v in values(graph, action, "prov:generated")} == {"supply-chain-working-group"}
    members = {
        local(m)
        for (m,) in rows(
            graph,
            "SELECT ?m WHERE { hdo:supply-chain-working-group a hled:WorkingGroup ; org:hasMember ?m }",
        )
    }
    assert members == {"us-government", "mexico-government"}
    ((label,),) = rows(graph, "SELECT ?l WHERE { hdo:supply-chain-working-group rdfs:label ?l }")
    assert str(label) == "Supply Chain Working Group"


def test_ministry_of_economy_mou_and_semiconductor_forum_in_mexico_city(graph: Graph) -> None:
    assert action_class(graph, "semiconductor-mou-signing") == "AgreementSigning"
    assert agents(graph, "semiconductor-mou-signing") == {
        "secretaria-economia": {"lead"},
        "technology-companies-and-manufacturers": {"partner"},
    }
    assert graph.query(
        SPARQL_PROLOGUE
        + "ASK { hda:semiconductor-mou-signing prov:generated hdw:semiconductor-mou . "
        + "hdw:semiconductor-mou a hled:MemorandumOfUnderstanding }"
    ).askAnswer
    forum = "semiconductor-ict-supply-chains-forum"
    assert action_class(graph, forum) == "Forum"
    assert agents(graph, forum) == {"secretaria-economia": {"host"}}
    assert places(graph, forum) == {"mexico-city"}
    assert {str(n) for n in values(graph, forum, "schema:name")} == {
        "Strengthening the Semiconductor and ICT Supply Chains between Mexico and the United States"
    }


def test_transportation_electrification_working_group(graph: Graph) -> None:
    action = "transportation-electrification-working-group-establishment"
    assert agents(graph, action) == {
        "sre": {"lead"},
        "university-of-california": {"partner"},
        "industry-representatives": {"partner"},
        "academia": {"partner"},
    }
    members = {
        local(m)
        for (m,) in rows(
            graph,
            "SELECT ?m WHERE { hdo:transportation-electrification-working-group org:hasMember ?m }",
        )
    }
    assert members == {"sre", "university-of-california"}
    participants = rows(
        graph, "SELECT ?g WHERE { hdo:transportation-electrification-working-group hled:hasParticipant ?g }"
    )
    assert {local(g) for (g,) in participants} == {"industry-representatives", "academia"}
    ((label,),) = rows(graph, "SELECT ?l WHERE { hdo:sre skos:prefLabel ?l FILTER(lang(?l) = 'es') }")
    assert str(label) == "Secretaría de Relaciones Exteriores"


def test_mexico_joins_50_percent_zero_emission_vehicle_goal_by_2030(graph: Graph) -> None:
    action = "zero-emission-vehicle-goal-accession"
    assert (action_class(graph, action), pillar(graph, action), status(graph, action)) == ("Accession", {"1"}, "completed")
    assert {local(v) for v in values(graph, action, "hled:joined")} == {"zero-emission-vehicle-goal"}
    assert values(graph, action, "hled:target") == set()
    ((value, code, unit, year),) = rows(
        graph,
        """SELECT ?v ?code ?unit ?year WHERE { hdw:zero-emission-vehicle-goal hled:target hdw:zero-emission-vehicle-goal-target .
              hdw:zero-emission-vehicle-goal-target a hled:Target ;
              schema:value ?v ; schema:unitCode ?code ; schema:unitText ?unit ; hled:targetYear ?year }""",
    )
    assert (value.toPython(), str(code), str(unit)) == (Decimal(50), "P1", "percent")
    assert (str(year), year.datatype) == ("2030", XSD.gYear)
    assert agents(graph, action) == {"mexico-government": {"lead"}}
    assert agents(graph, "supply-chain-ministerial-forum-2022") == {"us-government": {"host"}}
    assert {local(v) for v in values(graph, action, "dcterms:isPartOf")} == {"supply-chain-ministerial-forum-2022"}


def test_epa_and_conagua_commit_474_million_for_tijuana_and_san_diego(graph: Graph) -> None:
    action = "epa-conagua-tijuana-river-investment"
    assert (action_class(graph, action), pillar(graph, action)) == ("FundingCommitmentAct", {"1"})
    assert (status(graph, action), concerns(graph, action)) == ("committed", {"tijuana-river-pollution-projects"})
    assert amounts(graph, action) == [(Decimal(474000000), "USD")]
    assert agents(graph, action) == {"epa": {"funder"}, "conagua": {"funder"}}
    assert places(graph, action) == {"tijuana", "san-diego", "tijuana-river"}
    signing = "epa-conagua-statement-of-intent"
    assert action_class(graph, signing) == "AgreementSigning"
    assert amounts(graph, signing) == []
    assert {local(v) for v in values(graph, signing, "prov:generated")} == {"tijuana-river-statement-of-intent"}
    assert {local(v) for v in values(graph, action, "prov:used")} == {"tijuana-river-statement-of-intent"}


def test_border_infrastructure_3_4_billion_and_1_5_billion(graph: Graph) -> None:
    us = "bipartisan-infrastructure-law-ports-of-entry-funding"
    assert amounts(graph, us) == [(Decimal(3400000000), "USD")]
    assert quantities(graph, us) == set()
    assert (status(graph, us), concerns(graph, us)) == ("committed", {"land-ports-of-entry-modernization"})
    ((projects, unit),) = rows(
        graph,
        "SELECT ?v ?u WHERE { hdc:land-ports-of-entry-modernization hled:target [ a hled:Target ; schema:value ?v ; schema:unitText ?u ] }",
    )
    assert (projects.toPython(), str(unit)) == (Decimal(26), "major construction and modernization projects at land ports of entry")
    assert {local(v) for v in values(graph, us, "prov:used")} == {"bipartisan-infrastructure-law"}
    assert agents(graph, us) == {"us-government": {"funder"}}
    # "land ports of entry on both U.S. borders": not only the border with Mexico
    assert places(graph, us) == {"united-states"}
    # "The two governments committed to invest in border infrastructure": one act of both, without money of its own
    both = "border-infrastructure-investment-commitment"
    assert agents(graph, both) == {"us-government": {"lead"}, "mexico-government": {"lead"}}
    assert (action_class(graph, both), status(graph, both), amounts(graph, both)) == ("CommitmentAct", "committed", [])
    assert concerns(graph, both) == {"border-infrastructure-investment"}
    mx = "mexico-border-infrastructure-investment"
    assert amounts(graph, mx) == [(Decimal(1500000000), "USD")]
    assert agents(graph, mx) == {"mexico-government": {"funder"}}
    assert times(graph, mx) == set()
    assert (status(graph, mx), concerns(graph, mx)) == ("committed", {"mexico-border-infrastructure-2022-2024"})
    period = rows(
        graph,
        """SELECT ?b ?e WHERE { hdc:mexico-border-infrastructure-2022-2024 time:hasTime [ a time:ProperInterval ;
             time:hasBeginning/time:inXSDgYear ?b ; time:hasEnd/time:inXSDgYear ?e ] }""",
    )
    assert [(str(b), str(e)) for b, e in period] == [("2022", "2024")]
    assert times(graph, "presidents-meeting-july-2022") == {("2022-07", "gYearMonth")}
    assert {local(v) for v in values(graph, mx, "dcterms:isPartOf")} == {"presidents-meeting-july-2022"}
    ((law,),) = rows(graph, "SELECT ?l WHERE { hdw:bipartisan-infrastructure-law a hled:Law ; rdfs:label ?l }")
    assert str(law) == "Bipartisan Infrastructure Law"


def test_all_money_is_usd_decimal_on_commitments_and_awards_summing_to_5_374_038_000(
    graph: Graph,
) -> None:
    found = rows(
        graph,
        """SELECT ?action ?cls ?v ?c WHERE { ?action hled:amount [ schema:value ?v ; schema:currency ?c ] ; a ?cls .
             FILTER(?cls IN (hled:FundingCommitmentAct, hled:Award)) }""",
    )
    assert len(found) == 4
    assert {str(c) for *_, c in found} == {"USD"}
    assert sum(v.toPython() for _, _, v, _ in found) == Decimal(5374038000)
    ((total,),) = rows(graph, "SELECT (SUM(?v) AS ?t) WHERE { ?a hled:amount/schema:value ?v }")
    assert total.toPython() == Decimal(5374038000)


def test_border_convening_methane_plan_and_medical_devices(graph: Graph) -> None:
    assert agents(graph, "border-sister-communities-convening") == {
        "us-government": {"host"},
        "mexico-government": {"host"},
        "state-and-municipal-governments": {"participant"},
        "private-sector": {"participant"},
        "civil-society": {"participant"},
    }
    assert places(graph, "border-sister-communities-convening") == {"us-mexico-border"}
    methane = "methane-implementation-plan-commitment"
    assert action_class(graph, methane) == "CommitmentAct"
    assert (status(graph, methane), concerns(graph, methane)) == ("committed", {"methane-implementation-plan"})
    assert ask(graph, "ASK { hdw:methane-implementation-plan a prov:Plan FILTER NOT EXISTS { hdw:methane-implementation-plan a hled:Program } }")
    assert {local(v) for v in values(graph, methane, "prov:used")} == {"global-methane-pledge"}
    ((pledge,),) = rows(graph, "SELECT ?l WHERE { hdw:global-methane-pledge a hled:Pledge ; rdfs:label ?l }")
    assert str(pledge) == "Global Methane Pledge"
    devices = "usaid-cofepris-medical-devices-cooperation"
    assert agents(graph, devices) == {"usaid": {"lead"}, "cofepris": {"partner"}}
    assert {local(v) for v in values(graph, devices, "prov:used")} == {
        "covid-19-medical-devices-regulatory-convergence-project"
    }


def test_usmca_subcommittee_commitment_by_october_2022(graph: Graph) -> None:
    action = "usmca-emergency-subcommittee-commitment"
    assert (status(graph, action), concerns(graph, action)) == ("committed", {"usmca-emergency-subcommittee-negotiations"})
    ((deadline,),) = rows(graph, "SELECT ?d WHERE { hdc:usmca-emergency-subcommittee-negotiations hled:deadline ?d }")
    assert (str(deadline), deadline.datatype) == ("2022-10", XSD.gYearMonth)
    assert agents(graph, action) == {
        "us-government": {"lead"},
        "mexico-government": {"lead"},
        "canada-government": {"partner"},
        "usmca-competitiveness-committee": {"participant"},
    }
    assert times(graph, "usmca-free-trade-commission-second-meeting") == {("2022-07", "gYearMonth")}
    proposed = rows(
        graph,
        """SELECT ?body ?label WHERE { hdc:usmca-emergency-subcommittee-negotiations dcterms:subject ?body .
             ?body a hled:ProposedBody ; rdfs:label ?label .
             FILTER NOT EXISTS { ?body a ?org . VALUES ?org { hled:WorkingGroup org:OrganizationalCollaboration } } }""",
    )
    assert {local(b) for b, _ in proposed} == {"usmca-emergency-subcommittee", "critical-infrastructure-working-group"}
    assert not [label for _, label in proposed if "proposed" in str(label)]
    ((committee,),) = rows(graph, "SELECT ?f WHERE { hdo:usmca-competitiveness-committee org:subOrganizationOf ?f }")
    assert local(committee) == "usmca-free-trade-commission"
    assert places(graph, action) == {"north-america"}


# --- Pillar II --------------------------------------------------------------------------------


def test_usaid_contract_for_sembrando_oportunidades(graph: Graph) -> None:
    action = "usaid-sembrando-oportunidades-contract"
    assert (action_class(graph, action), pillar(graph, action)) == ("Award", {"2"})
    assert agents(graph, action) == {"usaid": {"funder"}}
    assert places(graph, action) == {"northern-central-america"}
    labels = {
        (str(v), v.language)
        for (v,) in rows(graph, "SELECT ?v WHERE { hdw:sembrando-oportunidades skos:prefLabel ?v }")
    }
    assert ("Sembrando Oportunidades", "es") in labels


def test_sustainable_prosperous_communities_and_surges(graph: Graph) -> None:
    spc = "sustainable-prosperous-communities-launch"
    assert quantities(graph, spc) == {(4, "southern Mexican states", False)}
    assert (action_class(graph, spc), status(graph, spc)) == ("Launch", "completed")
    surges = "surges-announcement"
    assert quantities(graph, surges) == set()
    assert (action_class(graph, surges), status(graph, surges), concerns(graph, surges)) == ("Announcement", "announced", {"surges"})
    assert values(graph, surges, "prov:generated") == set()
    targets = {
        (local(work), value.toPython(), str(unit))
        for work, value, unit in rows(
            graph, "SELECT ?w ?v ?u WHERE { ?w a hled:Program ; hled:target [ schema:value ?v ; schema:unitText ?u ] }"
        )
    }
    assert targets == {
        ("sustainable-prosperous-communities", Decimal(40000), "beneficiaries whose livelihoods are to improve"),
        ("surges", Decimal(30), "public-private partnerships"),
    }
    assert agents(graph, surges) == {"usaid": {"lead"}}
    assert places(graph, surges) == places(graph, spc) == {"southern-mexico"}
    ((en, es, alt),) = rows(
        graph,
        """SELECT ?en ?es ?alt WHERE { hdw:surges skos:prefLabel ?en, ?es ; skos:altLabel ?alt .
             FILTER(lang(?en) = 'en' && lang(?es) = 'es') }""",
    )
    assert (str(en), str(es), str(alt)) == (
        "Southern Mexico Generating Employment and Sustainability",
        "Sur de México Generando Empleo y Sustentabilidad",
        "SURGES",
    )


def test_embassy_and_seven_southeastern_states_protect_the_selva_maya(graph: Graph) -> None:
    action = "selva-maya-conservation-effort-creation"
    assert agents(graph, action) == {
        "us-embassy-mexico-city": {"lead"},
        "southeastern-states-environment-secretaries": {"partner"},
    }
    assert quantities(graph, action) == {(7, "southeastern Mexican states", False)}
    assert places(graph, action) == {"selva-maya"}
    assert rows(graph, "SELECT ?x WHERE { hdl:selva-maya schema:containedInPlace ?x }") == [
        (graph.namespace_manager.expand_curie("hdl:latin-america"),)
    ]
    ((parent,),) = rows(
        graph,
        "SELECT ?p WHERE { hdo:us-embassy-mexico-city a hled:Embassy, org:OrganizationalUnit ; org:unitOf ?p }",
    )
    assert local(parent) == "state-department"


# --- Pillar III -------------------------------------------------------------------------------


def test_cybersecurity_forum_in_september_2022_with_nist_resources(graph: Graph) -> None:
    action = "cybersecurity-best-practices-forum"
    assert (action_class(graph, action), pillar(graph, action)) == ("Forum", {"3"})
    assert agents(graph, action) == {"doc": {"host"}, "secretaria-economia": {"host"}}
    assert times(graph, action) == {("2022-09", "gYearMonth")}
    ((start,),) = rows(graph, f"SELECT ?d WHERE {{ hda:{action} schema:startDate ?d }}")
    assert start.datatype == XSD.gYearMonth
    assert {local(v) for v in values(graph, action, "dcterms:references")} == {"nist"}
    ((parent,),) = rows(graph, "SELECT ?p WHERE { hdo:nist org:unitOf ?p }")
    assert local(parent) == "doc"


def test_mexico_intends_to_join_global_cbpr_declaration(graph: Graph) -> None:
    action = "global-cbpr-declaration-intention"
    assert (action_class(graph, action), status(graph, action)) == ("Announcement", "intended")
    assert values(graph, action, "hled:joined") == set()
    assert concerns(graph, action) == {"mexico-global-cbpr-accession"}
    ((declaration,),) = rows(graph, "SELECT ?d WHERE { hdc:mexico-global-cbpr-accession a hled:Commitment ; dcterms:subject ?d }")
    assert local(declaration) == "global-cbpr-declaration"
    assert "intention" in str(next(iter(values(graph, action, "dcterms:description"))))
    ((label, apec),) = rows(
        graph,
        "SELECT ?l ?a WHERE { hdw:global-cbpr-declaration a hled:Declaration ; rdfs:label ?l ; dcterms:relation ?a }",
    )
    assert (str(label), local(apec)) == ("Global Cross-Border Privacy Rules Declaration", "apec")


def test_forum_on_5g_and_beyond_is_scheduled_and_virtual(graph: Graph) -> None:
    action = "forum-on-5g-and-beyond-announcement"
    assert (action_class(graph, action), status(graph, action), concerns(graph, action)) == (
        "Announcement", "scheduled", {"forum-on-5g-and-beyond"})
    found = rows(
        graph,
        "SELECT ?name ?start WHERE { hde:forum-on-5g-and-beyond a schema:Event ; schema:name ?name ; schema:startDate ?start ; "
        "schema:eventStatus schema:EventScheduled ; schema:eventAttendanceMode schema:OnlineEventAttendanceMode }",
    )
    assert [(str(n), str(s), s.datatype) for n, s in found] == [("Forum on 5G and Beyond", "2022-10", XSD.gYearMonth)]
    assert not ask(graph, "ASK { hde:forum-on-5g-and-beyond a ?c VALUES ?c { prov:Activity hled:Forum } }")
    assert pillar(graph, action) == {"3"}


# --- Pillar IV --------------------------------------------------------------------------------


def test_small_business_development_centers_in_southern_mexico(graph: Graph) -> None:
    assert action_class(graph, "sbdc-southern-mexico-coordination") == "Cooperation"
    assert agents(graph, "sbdc-southern-mexico-coordination")["sbdcs-southern-mexico"] == {"partner"}
    launch = "sbdc-southern-mexico-bloc-launch"
    assert action_class(graph, launch) == "Launch"
    assert agents(graph, launch)["southern-states-economic-development-secretaries"] == {"lead"}
    assert {local(v) for v in values(graph, launch, "prov:generated")} == {"sbdc-southern-mexico-bloc"}
    assert places(graph, launch) == {"southern-mexico"}


def test_labor_campaign_and_13_community_centers_in_veracruz_and_oaxaca(graph: Graph) -> None:
    assert action_class(graph, "dol-campos-de-esperanza-gender-campaign") == "Campaign"
    assert agents(graph, "dol-campos-de-esperanza-gender-campaign") == {
        "dol": {"lead"},
        "campos-de-esperanza": {"partner"},
    }
    centers = "veracruz-oaxaca-community-centers"
    assert quantities(graph, centers) == {(13, "community centers", False)}
    assert places(graph, centers) == {"veracruz", "oaxaca"}
    assert pillar(graph, centers) == {"4"}


def test_mujer_exporta_mx_third_virtual_roundtable(graph: Graph) -> None:
    action = "mujer-exporta-mx-2022"
    assert action_class(graph, action) == "Roundtable"
    assert agents(graph, action) == {"secretaria-economia": {"host"}}
    assert {local(v) for v in values(graph, action, "schema:superEvent")} == {"mujer-exporta-mx"}
    assert {local(v) for v in values(graph, action, "schema:eventAttendanceMode")} == {"OnlineEventAttendanceMode"}
    assert quantities(graph, action) == {(3, "consecutive years held", False)}


def test_38000_award_to_fumec_for_academy_for_women_entrepreneurs(graph: Graph) -> None:
    action = "awe-2022-fumec-award"
    assert action_class(graph, action) == "Award"
    assert amounts(graph, action) == [(Decimal(38000), "USD")]
    assert agents(graph, action) == {"us-government": {"funder"}, "fumec": {"recipient"}}
    assert quantities(graph, action) == {
        (800, "Mexican women participants", True),
        (14, "Mexican states", False),
    }
    ((en, es),) = rows(
        graph,
        "SELECT ?en ?es WHERE { hdo:fumec skos:prefLabel ?en, ?es FILTER(lang(?en) = 'en' && lang(?es) = 'es') }",
    )
    assert (str(en), str(es)) == (
        "U.S.-Mexico Foundation for Science",
        "Fundación México-Estados Unidos para la Ciencia",
    )


def test_apprenticeship_exchange_on_october_24_2022(graph: Graph) -> None:
    action = "apprenticeships-technical-exchange-announcement"
    assert (action_class(graph, action), status(graph, action)) == ("Announcement", "scheduled")
    assert concerns(graph, action) == {"apprenticeships-technical-exchange"}
    assert agents(graph, action) == {"dol": {"lead"}, "secretaria-economia": {"partner"}, "stps": {"partner"}}
    ((start, organizer),) = rows(
        graph, "SELECT ?s ?o WHERE { hde:apprenticeships-technical-exchange schema:startDate ?s ; schema:organizer ?o }"
    )
    assert (str(start), start.datatype, local(organizer)) == ("2022-10-24", XSD.date, "dol")


def test_english_degree_courses_in_four_institutions(graph: Graph) -> None:
    action = "english-degree-courses-technical-institutions"
    assert quantities(graph, action) == {(4, "technical institutions", False)}
    assert places(graph, action) == {"queretaro", "yucatan", "quintana-roo"}
    assert agents(graph, action)["us-embassy-mexico-city"] == {"lead"}
    assert agents(graph, action)["private-sector-partners"] == {"partner"}


def test_technical_education_dialogue_scheduled_for_october(graph: Graph) -> None:
    action = "technical-education-dialogue-commitment"
    assert set(agents(graph, action)) == {"ed", "sep", "conalep"}
    assert (action_class(graph, action), status(graph, action)) == ("CommitmentAct", "committed")
    assert concerns(graph, action) == {"technical-education-dialogue"}
    ((start, mode),) = rows(
        graph,
        "SELECT ?s ?m WHERE { hde:technical-education-dialogue schema:startDate ?s ; schema:eventAttendanceMode ?m }",
    )
    assert (str(start), local(mode)) == ("2022-10", "OnlineEventAttendanceMode")
    ((label,),) = rows(graph, "SELECT ?l WHERE { hdo:conalep skos:prefLabel ?l FILTER(lang(?l) = 'es') }")
    assert str(label) == "Colegio Nacional de Educación Profesional Técnica"


def test_state_department_approves_mexico_for_ccap(graph: Graph) -> None:
    action = "ccap-mexico-inclusion-approval"
    assert action_class(graph, action) == "Approval"
    assert agents(graph, action)["state-department"] == {"lead"}
    ((label,),) = rows(graph, f"SELECT ?l WHERE {{ hda:{action} prov:used/rdfs:label ?l }}")
    assert str(label) == "Community College Administrator Program"


def test_trilateral_workforce_forums_in_dallas_and_on_aug_31_sep_1(graph: Graph) -> None:
    first, second = "first-trilateral-workforce-forum", "second-trilateral-workforce-forum"
    assert places(graph, first) == {"dallas"}
    assert times(graph, first) == {("2021-12", "gYearMonth")}
    assert times(graph, second) == {("2022-08-31", "date"), ("2022-09-01", "date")}
    ((start, end),) = rows(graph, f"SELECT ?s ?e WHERE {{ hda:{second} schema:startDate ?s ; schema:endDate ?e }}")
    assert (str(start), str(end), start.datatype) == ("2022-08-31", "2022-09-01", XSD.date)
    series = rows(graph, "SELECT ?e WHERE { ?e schema:superEvent hdw:trilateral-workforce-forums }")
    assert {local(e) for (e,) in series} == {first, second}
    assert agents(graph, second) == {"secretaria-economia": {"host"}}
    # "The United States helped organize the first": a partner in it, not its host
    assert agents(graph, first) == {"us-government": {"partner"}}


# --- across the whole graph -------------------------------------------------------------------


def test_every_action_has_one_class_a_dialogue_a_source_and_english_texts(graph: Graph) -> None:
    found = rows(
        graph,
        """SELECT ?a (COUNT(DISTINCT ?cls) AS ?n) WHERE {
             ?a a prov:Activity ; hled:partOfDialogue hd:hled ; dcterms:source hd:fact-sheet-2022 ;
                hled:reportedAt round:2022 ; hled:status ?status ;
                rdfs:label ?l ; skos:prefLabel ?p ; dcterms:description ?d ; a ?cls .
             FILTER(STRSTARTS(STR(?cls), STR(hled:)) && lang(?l) = 'en' && lang(?d) = 'en')
           } GROUP BY ?a""",
    )
    assert len(found) == 39
    assert {int(n) for _, n in found} == {1}
    by_pillar = {
        str(p).rsplit("/", 1)[-1]: int(n)
        for p, n in rows(graph, "SELECT ?p (COUNT(?a) AS ?n) WHERE { ?a hled:pillar ?p } GROUP BY ?p")
    }
    assert by_pillar == {"1": 17, "2": 4, "3": 3, "4": 13}


def test_statuses_of_the_2022_acts(graph: Graph) -> None:
    counts = {
        local(st): int(n)
        for st, n in rows(graph, "SELECT ?s (COUNT(?a) AS ?n) WHERE { ?a hled:status ?s } GROUP BY ?s")
    }
    assert counts == {"completed": 25, "under-way": 3, "committed": 7, "intended": 1, "scheduled": 2, "announced": 1}


def test_events_that_took_place_precede_the_fact_sheet_and_planned_ones_follow_it(graph: Graph) -> None:
    took_place = rows(
        graph,
        "SELECT ?e ?start WHERE { ?e a ?c ; schema:startDate ?start . "
        "VALUES ?c { hled:Forum hled:Meeting hled:Roundtable hled:TechnicalExchange } }",
    )
    assert len(took_place) >= 7
    assert all(str(start) <= "2022-09-12" for _, start in took_place)
    planned = rows(graph, "SELECT ?e ?start ?st WHERE { ?a hled:concerns ?e ; hled:status ?st . ?e a schema:Event ; schema:startDate ?start }")
    assert {local(e) for e, _, _ in planned} == {"forum-on-5g-and-beyond", "apprenticeships-technical-exchange", "technical-education-dialogue"}
    assert all(str(start) > "2022-09-12" and not "2022-09-12".startswith(str(start)) for _, start, _ in planned)
    assert not ask(graph, "ASK { ?e a schema:Event ; schema:eventStatus ?s . ?e a prov:Activity }")


def test_organizations_have_one_kind_and_a_country(graph: Graph) -> None:
    kinds = (
        "hled:NationalGovernment hled:GovernmentAgency hled:Ministry hled:Embassy hled:StateGovernment"
        " hled:University hled:Company hled:NGO hled:IntergovernmentalBody"
    )
    found = rows(
        graph,
        f"""SELECT ?o (COUNT(DISTINCT ?kind) AS ?n) (COUNT(DISTINCT ?country) AS ?c) WHERE {{
              VALUES ?kind {{ {kinds} }}
              ?o a ?kind . OPTIONAL {{ ?o hled:country ?country . ?country a schema:Country }}
            }} GROUP BY ?o""",
    )
    # 25 of the fact sheet, USTR and SHCP (offices of the rounds' chairs), and from data/hled-government.ttl
    # SEMARNAT, the Ministry of Health and the publishers of two records (Britannica, the state of Quintana Roo)
    assert len(found) == 31
    hierarchy = rows(
        graph,
        """SELECT ?o WHERE { VALUES ?kind { hled:GovernmentAgency hled:Ministry } ?o a ?kind .
              FILTER NOT EXISTS { ?o (org:subOrganizationOf|org:unitOf)+ ?g . ?g a hled:NationalGovernment } }""",
    )
    assert hierarchy == []
    assert {local(o) for o, n, _ in found if int(n) != 1} == set()
    assert {local(o) for o, _, c in found if int(c) == 0} == set()
    mexican = rows(
        graph,
        """SELECT ?o WHERE { ?o hled:country hdl:mexico ; a ?k . VALUES ?k { hled:Ministry hled:GovernmentAgency }
             FILTER NOT EXISTS { ?o skos:prefLabel ?es FILTER(lang(?es) = 'es') } }""",
    )
    assert mexican == []


def test_every_body_has_one_org_type_and_collectives_are_never_members(graph: Graph) -> None:
    types = rows(
        graph,
        """SELECT ?o (COUNT(DISTINCT ?t) AS ?n) WHERE {
             VALUES ?t { org:FormalOrganization org:OrganizationalUnit org:OrganizationalCollaboration }
             ?o a ?t } GROUP BY ?o HAVING (COUNT(DISTINCT ?t) > 1)""",
    )
    assert types == []
    units = rows(graph, "SELECT ?u ?p WHERE { ?u a org:OrganizationalUnit ; org:unitOf ?p }")
    assert {(local(u), local(p)) for u, p in units} == {
        ("nist", "doc"), ("conagua", "semarnat"), ("cofepris", "secretaria-salud"),
        ("us-embassy-mexico-city", "state-department"),
    }
    assert rows(graph, "SELECT ?g WHERE { ?c org:hasMember ?g . ?g a hled:StakeholderGroup }") == []
    inferred = load_graph(include_links=False)
    assert rows(inferred, "SELECT ?g WHERE { ?g a hled:StakeholderGroup, org:Organization }") == []
    assert rows(inferred, "SELECT ?o WHERE { ?o a org:FormalOrganization, org:OrganizationalUnit }") == []


def test_hierarchy_from_public_records_cites_a_page_and_a_place(graph: Graph) -> None:
    cited = rows(
        graph,
        """SELECT ?body ?page ?where WHERE {
             VALUES ?body { hdo:conagua hdo:cofepris hdo:conalep hdo:nist hdo:semarnat hdo:secretaria-salud }
             ?body dcterms:source ?record ; hled:locator ?where . ?record foaf:page ?page }""",
    )
    assert {local(b) for b, _, _ in cited} == {"conagua", "cofepris", "conalep", "nist", "semarnat", "secretaria-salud"}
    assert all(str(page).startswith(("https://", "http://")) for _, page, _ in cited)
    conagua = {str(where) for b, _, where in cited if local(b) == "conagua"}
    assert conagua == {"Artículo 1"}


def test_places_are_contained_up_to_their_country(graph: Graph) -> None:
    found = rows(
        graph,
        """SELECT ?city ?country WHERE { ?city a schema:City ; schema:containedInPlace+ ?country .
             ?country a schema:Country }""",
    )
    assert {(local(a), local(b)) for a, b in found} == {
        ("mexico-city", "mexico"),
        ("tijuana", "mexico"),
        ("san-diego", "united-states"),
        ("dallas", "united-states"),
        ("washington-dc", "united-states"),
    }
    states = rows(graph, "SELECT ?s WHERE { ?s a schema:State ; schema:containedInPlace hdl:mexico }")
    assert {local(s) for (s,) in states} == {
        "baja-california",
        "veracruz",
        "oaxaca",
        "queretaro",
        "yucatan",
        "quintana-roo",
    }


def test_every_label_is_english_and_every_rdfs_label_is_the_english_preflabel(graph: Graph) -> None:
    assert rows(graph, "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(lang(?l) != 'en') }") == []
    mismatched = rows(
        graph,
        """SELECT ?s WHERE { ?s rdfs:label ?l ; skos:prefLabel ?p FILTER(lang(?p) = 'en')
             FILTER NOT EXISTS { ?s skos:prefLabel ?l } }""",
    )
    assert mismatched == []
