from rabbitfakes import NAMES, queues_json, stack, view

from hachaos.clock import FakeClock
from hachaos.node import ExecResult
from hachaos.topology.base import Healable, HealReport
from hachaos.topology.rabbitmq import RabbitMQResolver
from hachaos.topology.rabbitmq_heal import RabbitMQHealer


class Cluster:
    """rabbit-3 stays paused (as after a partition) until its app is restarted."""

    def __init__(self, heals_alone: bool = False, restart_works: bool = True) -> None:
        self.paused = not heals_alone
        self.restart_works = restart_works
        self.restarts: list[str] = []

    def __call__(self, node: str, cmd: tuple[str, ...]) -> ExecResult:
        if "stop_app" in cmd:
            self.restarts.append(node)
            return ExecResult(0, "")
        if "start_app" in cmd:
            self.paused = not self.restart_works
            return ExecResult(0, "")
        if "list_queues" in cmd:
            return ExecResult(0, queues_json("rabbit-1"))
        if self.paused:
            if node == "rabbit-3":
                return ExecResult(0, view(False, ["rabbit-3"], ["rabbit-1", "rabbit-2"]))
            return ExecResult(0, view(True, ["rabbit-1", "rabbit-2"]))
        return ExecResult(0, view(True, NAMES))


def test_resolver_is_healable() -> None:
    st, _ = stack(Cluster())
    assert isinstance(RabbitMQResolver(st), Healable)


def test_whole_cluster_heals_without_repair() -> None:
    st, _ = stack(Cluster(heals_alone=True))
    report = RabbitMQHealer(st, "hachaos", FakeClock()).await_healed(30)
    assert report.healed and report.repaired == ()
    assert report.summary() == "healed after 0.0s"


def test_stuck_paused_node_gets_its_app_restarted_once() -> None:
    cluster = Cluster()
    st, _ = stack(cluster)
    report = RabbitMQHealer(st, "hachaos", FakeClock()).await_healed(60, repair_after_s=5)
    assert report.healed
    assert cluster.restarts == ["rabbit-3"]
    assert report.repaired == ("rabbit-3",)
    assert 5 <= report.elapsed_s < 10
    assert "repaired: rabbit-3" in report.summary()


def test_not_healed_reports_the_last_views() -> None:
    cluster = Cluster(restart_works=False)
    st, _ = stack(cluster)
    report = RabbitMQHealer(st, "hachaos", FakeClock()).await_healed(12, repair_after_s=5)
    assert not report.healed
    assert cluster.restarts == ["rabbit-3"]
    assert "rabbit-3: app stopped" in report.detail
    assert report.summary().startswith("NOT healed after 1")


def test_heal_report_summary() -> None:
    assert HealReport(False, 2.0, "x").summary() == "NOT healed after 2.0s: x"
