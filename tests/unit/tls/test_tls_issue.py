"""Per-run TLS: certificates, the run folder's files, and a real handshake against them."""

from __future__ import annotations

import http.server
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from netfakes import http_server

from hachaos.clients.http import JsonHttpClient, TlsConfig
from hachaos.errors import HachaosError
from hachaos.history import Outcome
from hachaos.probes.http import HttpGetProbe
from hachaos.spec.models import TLS_DIR, TlsSpec
from hachaos.tls.issue import issue
from hachaos.tls.run_files import RunTls, forget_run_tls, tls_dir, write_run_tls


def test_server_certificate_names_and_ca_constraints() -> None:
    issued = issue("hc-1", ["lb", "localhost", "127.0.0.1"])
    cert = x509.load_pem_x509_certificate(issued.server_cert)
    ca = x509.load_pem_x509_certificate(issued.ca_cert)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["lb", "localhost"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(ca)
    assert "hc-1" in ca.subject.rfc4514_string()


def test_each_run_gets_its_own_ca() -> None:
    a, b = issue("hc-1", ["lb"]), issue("hc-1", ["lb"])
    assert a.ca_cert != b.ca_cert and a.server_key != b.server_key
    other_ca = x509.load_pem_x509_certificate(b.ca_cert)
    with pytest.raises(InvalidSignature):
        x509.load_pem_x509_certificate(a.server_cert).verify_directly_issued_by(other_ca)


def test_key_never_in_repr() -> None:
    issued = issue("hc-1", ["lb"])
    assert b"PRIVATE KEY" in issued.server_key
    assert "PRIVATE" not in repr(issued) and "server_key" not in repr(issued)
    run = RunTls(Path("/x"), ("lb",), ("lb",))
    assert "PRIVATE" not in repr(run)


def test_run_folder_files_and_modes(tmp_path: Path) -> None:
    run = write_run_tls(TlsSpec(nodes=("lb",)), "hc-2", tmp_path)
    assert run.directory == tls_dir("hc-2", tmp_path) == tmp_path / "hc-2" / "tls"
    assert stat.S_IMODE(run.directory.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in run.directory.iterdir()}
    assert modes == {"ca.crt": 0o644, "server.crt": 0o644, "server.key": 0o600, "server.pem": 0o600}
    pem = (run.directory / "server.pem").read_bytes()
    assert b"BEGIN CERTIFICATE" in pem and b"PRIVATE KEY" in pem  # HAProxy's combined file
    assert run.names == ("lb", "localhost", "127.0.0.1")
    placed = {f.path: f.mode for f in run.files_for("lb")}
    assert placed[f"{TLS_DIR}/server.pem"] == 0o600 and f"{TLS_DIR}/ca.crt" in placed
    assert run.files_for("app-1") == ()
    (tmp_path / "hc-2" / "journal.jsonl").write_text("")
    forget_run_tls("hc-2", tmp_path)
    assert not run.directory.exists() and (tmp_path / "hc-2").is_dir()  # the journal's folder
    (tmp_path / "hc-2" / "journal.jsonl").unlink()
    write_run_tls(TlsSpec(nodes=("lb",)), "hc-2b", tmp_path)
    forget_run_tls("hc-2b", tmp_path)
    assert not (tmp_path / "hc-2b").exists()  # `hachaos up`: the folder was only TLS


def test_a_run_folder_is_never_reused(tmp_path: Path) -> None:
    write_run_tls(TlsSpec(nodes=("lb",)), "hc-3", tmp_path)
    with pytest.raises(HachaosError, match="already has TLS files"):
        write_run_tls(TlsSpec(nodes=("lb",)), "hc-3", tmp_path)


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[RunTls, int]]:
    run = write_run_tls(TlsSpec(nodes=("lb",), names=("lb",)), "hc-4", tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(run.directory / "server.pem")
    with http_server(_Ok, context) as port:
        yield run, port


def _get(port: int, ca: Path | None = None) -> HttpGetProbe:
    tls = TlsConfig(ca.read_text()) if ca is not None else None
    return HttpGetProbe(JsonHttpClient(lambda: ("127.0.0.1", port), 2.0, tls), "/")


def test_probe_verifies_against_the_runs_ca(https_server: tuple[RunTls, int]) -> None:
    run, port = https_server
    probe = _get(port, run.ca_path)
    assert probe.attempt(1).outcome is Outcome.OK


def test_probe_refuses_another_runs_certificate(
    https_server: tuple[RunTls, int], tmp_path: Path
) -> None:
    _, port = https_server
    other = write_run_tls(TlsSpec(nodes=("lb",)), "hc-5", tmp_path)
    attempt = _get(port, other.ca_path).attempt(1)
    assert attempt.outcome is Outcome.FAIL
    assert "TLS certificate not trusted for '127.0.0.1'" in (attempt.error or "")


def test_plain_http_probe_against_tls_port_is_not_ok(https_server: tuple[RunTls, int]) -> None:
    _, port = https_server
    assert _get(port).attempt(1).outcome is not Outcome.OK
