"""``/validate`` has limits like queries: time, triples, prefix declarations, nesting.

Each refused submission says which limit it hit, the limit's value, and how to split
the contribution; a validation past its time limit gets a 503 and is stopped while the
server goes on answering everyone else.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from support.robustness import people
from support.servers import ENDPOINT_DATA

TURTLE = {"Content-Type": "text/turtle"}
JSON_LD = {"Content-Type": "application/ld+json"}
RDF_XML = {"Content-Type": "application/rdf+xml"}


@pytest.fixture(scope="module")
def server(start_server):
    return start_server(
        "--memory", "--data", str(ENDPOINT_DATA), "--max-contribution-prefixes", "50",
        "--max-nesting-depth", "20", "--max-contribution-triples", "400",
    )  # fmt: skip


def validate(server, body: bytes, headers: dict[str, str] = TURTLE) -> requests.Response:
    return requests.post(server.base + "validate", data=body, headers=headers, timeout=120)


def test_within_the_limits_a_submission_is_validated(server):
    response = validate(server, people(90, prefixes=50))
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["triples"] == 360


def test_too_many_prefix_declarations_are_refused_before_parsing(server):
    response = validate(server, people(3, prefixes=51))
    assert response.status_code == 413
    assert "51 prefix declarations" in response.text
    assert "limit of 50" in response.text
    assert "--max-contribution-prefixes" in response.text
    assert "split it" in response.text


def test_json_ld_context_terms_count_as_prefixes(server):
    context = {f"t{n}": f"https://example.org/{n}#" for n in range(60)}
    document = {"@context": context, "@id": "https://w3id.org/sdkg/id/x", "t1:p": "v"}
    response = validate(server, json.dumps(document).encode(), JSON_LD)
    assert response.status_code == 413
    assert "60 prefix declarations" in response.text


def test_xml_namespace_declarations_count_as_prefixes(server):
    names = " ".join(f'xmlns:n{n}="https://example.org/{n}#"' for n in range(55))
    body = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'{names}><rdf:Description rdf:about="https://w3id.org/sdkg/id/x"/></rdf:RDF>'
    )
    response = validate(server, body.encode(), RDF_XML)
    assert response.status_code == 413
    assert "prefix declarations" in response.text


@pytest.mark.parametrize("opener, closer", [("[ <p> ", " ]"), ("( ", " )")])
def test_nesting_deeper_than_the_limit_is_refused(server, opener, closer):
    inner = '"x"'
    body = f"<https://w3id.org/sdkg/id/x> <https://example.org/p> {opener * 21}{inner}"
    body += closer * 21 + " ."
    response = validate(server, body.encode())
    assert response.status_code == 400
    assert "nested too deeply for the parser: more than 20 levels" in response.text
    assert "--max-nesting-depth" in response.text


def test_brackets_inside_strings_do_not_count_as_nesting(server):
    body = (
        '<https://w3id.org/sdkg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "'
        + ("[(" * 40)
        + '"@en .'
    )
    assert validate(server, body.encode()).status_code == 200


def test_xml_elements_nested_deeper_than_the_limit_are_refused(server):
    body = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    body += '<rdf:Description rdf:about="https://w3id.org/sdkg/id/x">' + "<a>" * 25
    body += "</a>" * 25 + "</rdf:Description></rdf:RDF>"
    response = validate(server, body.encode(), RDF_XML)
    assert response.status_code == 400
    assert "more than 20 levels" in response.text


def test_json_ld_nested_deeper_than_the_limit_is_refused(server):
    document: dict = {"@id": "https://w3id.org/sdkg/id/x"}
    for _ in range(45):  # two JSON levels per node level: 40 is the limit here
        document = {"https://example.org/p": document}
    response = validate(server, json.dumps(document).encode(), JSON_LD)
    assert response.status_code == 400
    assert "nested too deeply (more than 40 levels)" in response.text


def test_an_iri_the_store_would_refuse_is_a_400_not_a_500(server):
    # Found by tests/server/test_fuzz.py: "[" is fine for rdflib, not for the store.
    document = [{"@id": "[id.org/sdkg/id/cas", "https://w3id.org/sdkg/ontology#a": "x"}]
    response = validate(server, json.dumps(document).encode(), JSON_LD)
    assert response.status_code == 400
    assert "is not a valid IRI: Invalid IRI code point '['" in response.text


def test_too_many_triples_says_how_to_split(server):
    response = validate(server, people(101))
    assert response.status_code == 413
    assert "404 triples is more than the limit of 400" in response.text
    assert "split it into contributions of at most 400 triples" in response.text


def test_a_validation_past_its_time_limit_gets_503_and_others_are_served(start_server):
    server = start_server("--memory", "--data", str(ENDPOINT_DATA), "--validation-timeout",
                          "2")  # fmt: skip
    first_pid = server.health()["pid"]
    outcome: dict = {}

    def long_validation() -> None:
        response = validate(server, people(2400))
        outcome.update(status=response.status_code, text=response.text)

    validation = threading.Thread(target=long_validation)
    validation.start()
    answered_meanwhile = 0
    while validation.is_alive():
        response = requests.get(server.sparql, params={"query": "ASK {}"}, timeout=60)
        assert response.status_code == 200
        answered_meanwhile += 1 if validation.is_alive() else 0
    validation.join()
    assert outcome["status"] == 503, outcome
    assert "validation exceeded the 2 s limit" in outcome["text"]
    assert "--validation-timeout" in outcome["text"]
    assert "Split the 9600 triples into smaller contributions" in outcome["text"]
    assert answered_meanwhile > 0
    # The SHACL step ran in its own process, which was stopped: the server process that
    # took the request goes on, and validates the next submission.
    assert "a validation passed its 2 s limit; its process was stopped" in server.log_text()
    assert server.health()["pid"] == first_pid
    assert validate(server, people(2)).status_code == 200
    assert "Traceback" not in server.log_text()


def test_validations_past_the_cap_and_its_queue_get_503_at_once(start_server):
    """One slot and a queue of one: a third validation is refused at once, while the
    first is still running (it then gets its full answer)."""
    server = start_server("--memory", "--data", str(ENDPOINT_DATA),
                          "--max-concurrent-validations", "1")  # fmt: skip
    events: list = []

    def long_validation(name: str) -> None:
        response = validate(server, people(2000))
        events.append((name, response.status_code))

    first = threading.Thread(target=long_validation, args=("first",))
    first.start()
    time.sleep(1.0)  # the first holds the slot (taken before its body is parsed)
    second = threading.Thread(target=long_validation, args=("second",))
    second.start()
    time.sleep(0.5)  # the second waits in the queue
    response = validate(server, people(1))
    events.append(("third", response.status_code))
    first.join()
    second.join()
    assert response.status_code == 503
    assert "1 validations are running" in response.text
    assert "--max-concurrent-validations" in response.text
    assert response.headers["Retry-After"] == "2"
    # Refused while the first was in flight, which then got its full answer.
    assert events.index(("third", 503)) < events.index(("first", 200)), events


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SDKG_VALIDATION_TIMEOUT": "0"}, "validation-timeout must be a positive number"),
        ({"SDKG_MAX_CONTRIBUTION_PREFIXES": "0"}, "max-contribution-prefixes must be at least 1"),
        ({"SDKG_MAX_NESTING_DEPTH": "x"}, "SDKG_MAX_NESTING_DEPTH='x' is not a valid int"),
        ({"SDKG_MAX_CONCURRENT_VALIDATIONS": "0"}, "max-concurrent-validations must be at least 1"),
    ],
)
def test_bad_limit_settings_stop_the_start_with_a_message(start_server, env, message):
    server = start_server("--memory", env=env, wait=False)
    assert server.process.wait(60) != 0
    assert message in server.log_text()
