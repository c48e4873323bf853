"""HTTP items probes and the HTTP ledger store against a loopback items server."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from itemsfake import ItemsState, items_server
from netfakes import free_port

from hachaos.clients.http import HttpAttemptError, HttpReply, JsonHttpClient, TlsConfig
from hachaos.errors import HachaosError
from hachaos.history import Outcome
from hachaos.probes.http_items import HttpReadProbe, HttpWriteProbe, classify_write, item_path
from hachaos.probes.http_wiring import put_item
from hachaos.workloads.http import HttpLedgerStore


def _client(addr: tuple[str, int], tls: TlsConfig | None = None) -> JsonHttpClient:
    return JsonHttpClient(lambda: addr, 1.0, tls)


@pytest.fixture
def state() -> ItemsState:
    return ItemsState()


@pytest.fixture
def server(state: ItemsState) -> Iterator[tuple[str, int]]:
    with items_server(state) as addr:
        yield addr


def test_write_ok_records_the_acknowledging_node(server: tuple[str, int]) -> None:
    attempt = HttpWriteProbe(_client(server), "hachaos:hc-1").attempt(7)
    assert attempt.outcome is Outcome.OK
    assert attempt.key == "hachaos:hc-1:7"
    assert attempt.value == "ap-1"


@pytest.mark.parametrize(
    ("mode", "outcome", "error"),
    [
        ("maintenance", Outcome.FAIL, "HTTP 503 maintenance"),
        ("replication", Outcome.FAIL, "HTTP 503 replication"),
        ("no-quorum", Outcome.FAIL, "HTTP 503 no-quorum"),
        ("lb-503", Outcome.FAIL, "HTTP 503"),
        ("unavailable", Outcome.UNKNOWN, "HTTP 503 unavailable"),
        ("bad-gateway", Outcome.UNKNOWN, "HTTP 502"),
        ("wrong-key", Outcome.FAIL, "HTTP 201 for another key"),
        ("hang-up", Outcome.UNKNOWN, "RemoteDisconnected"),
    ],
)
def test_write_outcomes(
    server: tuple[str, int], state: ItemsState, mode: str, outcome: Outcome, error: str
) -> None:
    state.mode = mode
    attempt = HttpWriteProbe(_client(server), "p").attempt(1)
    assert (attempt.outcome, attempt.error) == (outcome, error)


def test_a_key_written_twice_is_refused(server: tuple[str, int]) -> None:
    probe = HttpWriteProbe(_client(server), "p")
    assert probe.attempt(1).outcome is Outcome.OK
    again = probe.attempt(1)
    assert (again.outcome, again.error) == (Outcome.FAIL, "HTTP 409 conflict")


def test_refused_connection_is_a_certain_failure() -> None:
    attempt = HttpWriteProbe(_client(("127.0.0.1", free_port())), "p").attempt(1)
    assert (attempt.outcome, attempt.error) == (Outcome.FAIL, "ConnectionRefusedError")


def test_silent_server_is_indeterminate() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # accepts (kernel backlog) and never answers
        client = JsonHttpClient(listener.getsockname, 0.2)
        attempt = HttpWriteProbe(client, "p").attempt(1)
    assert (attempt.outcome, attempt.error) == (Outcome.UNKNOWN, "TimeoutError")


def test_endpoint_is_looked_up_on_every_request(state: ItemsState) -> None:
    with items_server(state) as first, items_server(ItemsState(node="ap-2")) as second:
        where = [first]
        client = JsonHttpClient(lambda: where[0], 1.0)
        assert HttpWriteProbe(client, "p").attempt(1).value == "ap-1"
        where[0] = second  # the node restarted with another published port
        assert HttpWriteProbe(client, "p").attempt(2).value == "ap-2"


def test_classify_write_without_a_body() -> None:
    attempt = classify_write(HttpReply(500, None, "ap-1"), "k")
    assert (attempt.outcome, attempt.error) == (Outcome.UNKNOWN, "HTTP 500")


def test_read_probe(server: tuple[str, int], state: ItemsState) -> None:
    client = _client(server)
    assert put_item(client, "p:read", "read", timeout_s=2) == "ap-1"
    probe = HttpReadProbe(client, "p:read")
    ok = probe.attempt(0)
    assert (ok.outcome, ok.value) == (Outcome.OK, "ap-1")
    state.items.clear()
    gone = probe.attempt(1)
    assert (gone.outcome, gone.error) == (Outcome.FAIL, "HTTP 404 (key missing)")
    state.mode = "maintenance"
    assert probe.attempt(2).outcome is Outcome.FAIL


def test_setup_write_reports_the_last_refusal(server: tuple[str, int], state: ItemsState) -> None:
    state.mode = "replication"
    with pytest.raises(HachaosError, match="HTTP 503 replication"):
        put_item(_client(server), "p:read", "read", timeout_s=0.3)


def test_item_path_encodes_the_key() -> None:
    assert item_path("hachaos:hc-1:read") == "/items/hachaos:hc-1:read"
    assert item_path("a b/c") == "/items/a%20b%2Fc"


def test_ledger_store_writes_and_reads_back(server: tuple[str, int], state: ItemsState) -> None:
    client = _client(server)
    store = HttpLedgerStore(lambda: client, client, "hachaos:hc-1:ledger")
    writer = store.writer()
    assert writer.process == "ledger"
    assert [writer.attempt(i).outcome for i in range(3)] == [Outcome.OK] * 3
    state.items["hachaos:hc-1:ledgerX:9"] = "not ours"
    assert sorted(store.read_back()) == [f"hachaos:hc-1:ledger:{i}" for i in range(3)]
    state.mode = "replication"
    with pytest.raises(HachaosError, match="HTTP 503: replication"):
        store.read_back()


# --- TLS -------------------------------------------------------------------------------------


EC = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"


def _openssl(args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args.split()], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA and a server certificate for `items.test`, made with the openssl CLI."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    d = tmp_path_factory.mktemp("pki")
    _openssl(f"req -x509 {EC} -keyout ca.key -out ca.pem -days 2 -subj /CN=hachaos-ca", d)
    _openssl(f"req {EC} -keyout srv.key -out srv.csr -subj /CN=items.test", d)
    (d / "ext").write_text("subjectAltName=DNS:items.test\n")
    _openssl(
        "x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 "
        "-extfile ext",
        d,
    )
    return d


@pytest.fixture
def tls_server(pki: Path, state: ItemsState) -> Iterator[tuple[str, int]]:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki / "srv.pem", pki / "srv.key")
    with items_server(state, tls=ctx) as addr:
        yield addr


def test_tls_verified_against_the_given_ca(pki: Path, tls_server: tuple[str, int]) -> None:
    tls = TlsConfig((pki / "ca.pem").read_text(), "items.test")
    attempt = HttpWriteProbe(_client(tls_server, tls), "p").attempt(1)
    assert (attempt.outcome, attempt.value) == (Outcome.OK, "ap-1")


def test_tls_wrong_name_is_refused_before_sending(
    pki: Path, tls_server: tuple[str, int], state: ItemsState
) -> None:
    tls = TlsConfig((pki / "ca.pem").read_text(), "other.test")
    attempt = HttpWriteProbe(_client(tls_server, tls), "p").attempt(1)
    assert attempt.outcome is Outcome.FAIL
    assert "Hostname mismatch, certificate is not valid for 'other.test'" in (attempt.error or "")
    assert not state.items


def test_tls_unknown_ca_is_refused(tmp_path: Path, pki: Path, tls_server: tuple[str, int]) -> None:
    _openssl(f"req -x509 {EC} -keyout o.key -out o.pem -days 1 -subj /CN=other-ca", tmp_path)
    tls = TlsConfig((tmp_path / "o.pem").read_text(), "items.test")
    with pytest.raises(HttpAttemptError) as err:
        _client(tls_server, tls).request("GET", "/items?prefix=")
    assert err.value.outcome is Outcome.FAIL
