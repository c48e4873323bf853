from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fakes import FakeNode
from pydantic import TypeAdapter, ValidationError

from hachaos.errors import FaultError
from hachaos.faults import grudge
from hachaos.faults.disconnect import DisconnectFault
from hachaos.faults.link import LinkFault
from hachaos.faults.partition import PartitionFault
from hachaos.firewall.request import ProbeResult, RuleRequest, RuleResponse
from hachaos.history import FaultPhase, History
from hachaos.node import Attachment, NodeRef
from hachaos.proxy.models import ProxyInfo, ToxicInfo
from hachaos.reaper.journal import EntryKind, Journal
from hachaos.reaper.undo import DeleteRules, EnableProxy, Reconnect, RemoveToxic
from hachaos.spec.faults import FaultSpec, ToxicSpec


@dataclass
class FakeNet:
    """What probes observe, and every firewall call per node, in call order."""

    reach: bool = False
    calls: list[dict[str, RuleRequest]] = field(default_factory=list)

    def record(self, node: str, request: RuleRequest) -> None:
        if not self.calls or node in self.calls[-1]:
            self.calls.append({})
        self.calls[-1][node] = request


@dataclass
class FirewalledNode(FakeNode):
    """A node with the Firewall capability, on a shared fake network."""

    net: FakeNet = field(default_factory=FakeNet)

    def ref(self) -> NodeRef:
        return NodeRef("fake", self.name, f"cid-{self.name}")

    def apply_rules(self, request: RuleRequest) -> RuleResponse:
        self.net.record(self.name, request)
        result = "refused" if self.net.reach else "blocked: timed out"
        probes = tuple(
            ProbeResult(
                p.peer, p.host, p.port, p.expect, result, (p.expect == "blocked") != self.net.reach
            )
            for p in request.probes
        )
        return RuleResponse(len(request.add) if not request.remove else 0, len(request.add), probes)


def nodes(net: FakeNet) -> dict[str, FakeNode]:
    names = ("n1", "n2", "n3")
    return {n: FirewalledNode(n, ip=f"10.0.0.{i}", net=net) for i, n in enumerate(names, 1)}


def partition(net: FakeNet, tmp_path: Path, history: History | None = None) -> PartitionFault:
    on = nodes(net)
    fault = PartitionFault(
        grudge.isolate(["n1"], on),
        on,
        "hc-1",
        label="n1",
        probe_ports={"n2": 6379},
        history=history,
    )
    fault.journal = Journal.for_run("hc-1", tmp_path)
    return fault


def test_partition_journals_before_applying_and_heals(tmp_path: Path) -> None:
    net, history = FakeNet(), History()
    fault = partition(net, tmp_path, history)
    with fault:
        [begin] = fault.journal.entries()  # type: ignore[union-attr]
        assert begin.kind is EntryKind.BEGIN
        ref = NodeRef("fake", "n1", "cid-n1")
        assert begin.undo == DeleteRules((ref,), f"hachaos:hc-1:{fault.fault_id}")
        assert fault.effective
        [req] = net.calls[0].values()
        assert len(req.add) == 4 and all(fault.tag in a for a in req.add)
        assert {(p.peer, p.port, p.expect) for p in req.probes} == {
            ("n2", 6379, "blocked"),
            ("n3", 1, "blocked"),
        }
        net.reach = True
    [heal] = net.calls[1].values()
    assert heal.remove == fault.tag and {p.expect for p in heal.probes} == {"reachable"}
    assert fault.journal.pending() == []  # type: ignore[union-attr]
    phases = [e.phase for e in history.faults]
    assert phases == [FaultPhase.INJECT, FaultPhase.EFFECTIVE, FaultPhase.REVERT]


def test_partition_that_does_not_hold_is_ineffective(tmp_path: Path) -> None:
    net = FakeNet(reach=True)
    fault = partition(net, tmp_path)
    fault.inject()
    assert fault.effective is False
    assert "n1 still reaches n2 (refused)" in fault.efficacy_detail
    fault.revert()


def test_partition_not_healed_is_a_fault_error_and_stays_journalled(tmp_path: Path) -> None:
    net = FakeNet()
    fault = partition(net, tmp_path)
    fault.inject()
    with pytest.raises(FaultError, match="not healed: n1 cannot reach n2 again"):
        fault.revert()
    assert [e.fault_id for e in fault.journal.pending()] == [fault.fault_id]  # type: ignore[union-attr]
    net.reach = True
    fault.revert()  # a retry may succeed
    assert fault.journal.pending() == []  # type: ignore[union-attr]


class FakeToxiproxy:
    base_url = "http://tp"

    def __init__(self) -> None:
        self.toxic_list: list[ToxicInfo] = []
        self.enabled = True

    def add_toxic(
        self, proxy: str, type: str, *, stream: str, toxicity: float, name: str, **attrs: float
    ) -> ToxicInfo:
        info = ToxicInfo(name, type, stream, toxicity, attrs)
        self.toxic_list.append(info)
        return info

    def toxics(self, proxy: str) -> list[ToxicInfo]:
        return list(self.toxic_list)

    def remove_toxic(self, proxy: str, name: str, *, missing_ok: bool = False) -> None:
        self.toxic_list = [t for t in self.toxic_list if t.name != name]

    def disable(self, proxy: str) -> ProxyInfo:
        self.enabled = False
        return self.get_proxy(proxy)

    def enable(self, proxy: str) -> ProxyInfo:
        self.enabled = True
        return self.get_proxy(proxy)

    def get_proxy(self, proxy: str) -> ProxyInfo:
        return ProxyInfo(proxy, "127.0.0.1:1", "127.0.0.1:2", self.enabled)


def test_link_toxic_is_named_by_run_and_removed(tmp_path: Path) -> None:
    tp = FakeToxiproxy()
    toxic = ToxicSpec(type="latency", attributes={"latency": 100}, toxicity=0.5, stream="upstream")
    fault = LinkFault(tp, "redis", toxic, "hc-1")  # type: ignore[arg-type]
    fault.journal = Journal.for_run("hc-1", tmp_path)
    with fault:
        [t] = tp.toxic_list
        assert (t.type, t.stream, t.toxicity, dict(t.attributes)) == (
            "latency",
            "upstream",
            0.5,
            {"latency": 100},
        )
        assert t.name == f"hachaos:hc-1:{fault.fault_id}"
        assert fault.effective and "listed" in fault.efficacy_detail
        assert fault.journal.pending()[0].undo == RemoveToxic("http://tp", "redis", t.name)
    assert tp.toxic_list == []
    fault.revert()  # idempotent


def test_link_down_disables_then_enables(tmp_path: Path) -> None:
    tp = FakeToxiproxy()
    fault = LinkFault(tp, "redis", None, "hc-1")  # type: ignore[arg-type]
    assert fault.undo_record() == EnableProxy("http://tp", "redis")
    with fault:
        assert not tp.enabled and fault.effective
    assert tp.enabled


SPECS = TypeAdapter(FaultSpec)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "partition"}, "needs a 'target'"),
        ({"action": "partition", "mode": "bridge", "target": {"node": "a"}}, "takes no 'target'"),
        ({"action": "partition", "mode": "groups"}, "'groups' goes with mode 'groups'"),
        ({"action": "partition", "mode": "bridge", "method": "disconnect"}, "only supports"),
        ({"action": "link", "link": "l"}, "exactly one of 'toxic' or 'down: true'"),
        (
            {
                "action": "link",
                "link": "l",
                "toxic": {"type": "latency", "attributes": {"rate": 1}},
            },
            "toxic latency has no attribute 'rate'",
        ),
        ({"action": "link", "link": "l", "toxic": {"type": "latency", "toxicity": 2}}, "less than"),
    ],
)
def test_bad_network_fault_specs(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SPECS.validate_python(data)


def test_good_network_fault_specs() -> None:
    spec = SPECS.validate_python(
        {"action": "partition", "mode": "groups", "groups": [["a"], ["b", "c"]]}
    )
    assert spec.groups == (("a",), ("b", "c"))  # type: ignore[union-attr]
    link = SPECS.validate_python({"action": "link", "link": "l", "down": True})
    assert link.down  # type: ignore[union-attr]


ON_NET = Attachment("hc-1-net", ("n3", "cache"), "10.0.0.3")


@dataclass
class CablePulled(FakeNode):
    """A Disconnectable node: attached until disconnected."""

    name: str = "n3"
    ip: str | None = "10.0.0.3"
    attached: Attachment | None = ON_NET
    reconnects: list[Attachment] = field(default_factory=list)

    def ref(self) -> NodeRef:
        return NodeRef("fake", self.name, "cid-n3")

    def attachment(self) -> Attachment | None:
        return self.attached

    def disconnect(self) -> None:
        self.attached = None

    def reconnect(self, attachment: Attachment) -> bool:
        self.reconnects.append(attachment)
        self.attached = attachment
        return True


def test_disconnect_journals_the_attachment_first_and_reconnects_it(tmp_path: Path) -> None:
    node = CablePulled()
    before = node.attached
    fault = DisconnectFault(node)
    fault.journal = Journal.for_run("hc-1", tmp_path)
    with fault:
        assert fault.effective and node.attached is None
        assert before is not None
        assert fault.journal.pending()[0].undo == Reconnect(node.ref(), before)
    assert node.reconnects == [before] and node.attached == before


def test_disconnect_on_a_node_that_cannot_be_disconnected_fails_cleanly() -> None:
    net = FakeNet()
    with pytest.raises(FaultError, match="n1 cannot be disconnected on this backend"):
        DisconnectFault(nodes(net)["n1"]).inject()
