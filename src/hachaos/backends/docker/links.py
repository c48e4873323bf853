"""Links through Toxiproxy: the proxy node a stack with `links:` gets, and populating it.

A stack that declares links but no node with role `proxy` gets one: the embedded,
Toxiproxy-compatible proxy (stdlib only) copied from this installation into a tools container,
so it always matches the hachaos version driving it. A stack that brings its own proxy node
(e.g. a real Toxiproxy image) is populated the same way, over the Toxiproxy HTTP API.
"""

from __future__ import annotations

from pathlib import Path

import hachaos
from hachaos.proxy.client import ToxiproxyClient
from hachaos.proxy.models import ProxyInfo
from hachaos.running import RunningStack
from hachaos.spec.models import NodeSpec, ReadyCheck, Role, StackSpec

PROXY_NODE = "toxiproxy"
API_PORT = 8474
PROXY_IMAGE = "hachaos/tools:latest"
_SITE = "/opt/hachaos"
# the modules outside hachaos.proxy that it imports (a unit test checks the list is whole)
PROXY_SHARED_MODULES = ("__init__.py", "errors.py", "usage.py")


def proxy_source_files() -> dict[str, str]:
    """The `hachaos` package root, `hachaos.errors`, `hachaos.usage` and `hachaos.proxy` (all
    stdlib-only), as files for a container."""
    package = Path(hachaos.__file__).parent
    files = {
        f"{_SITE}/hachaos/{name}": (package / name).read_text() for name in PROXY_SHARED_MODULES
    }
    for src in sorted((package / "proxy").glob("*.py")):
        files[f"{_SITE}/hachaos/proxy/{src.name}"] = src.read_text()
    return files


def embedded_proxy_node(stack: StackSpec) -> NodeSpec:
    """A node running `python3 -m hachaos.proxy`, publishing the API and every link port."""
    return NodeSpec(
        role=Role.PROXY,
        image=PROXY_IMAGE,
        command=("python3", "-m", "hachaos.proxy", "--host", "0.0.0.0", "--port", str(API_PORT)),
        env={"PYTHONPATH": _SITE},
        ports=(API_PORT, *(link.listen for link in stack.links.values())),
        files=proxy_source_files(),
        aliases=tuple(stack.links),
        ready=(ReadyCheck(tcp=API_PORT),),
    )


def with_proxy_node(stack: StackSpec) -> StackSpec:
    """`stack` plus the embedded proxy node when it has links and no proxy of its own."""
    if not stack.links or stack.nodes_with_role(Role.PROXY):
        return stack
    nodes = {PROXY_NODE: embedded_proxy_node(stack), **stack.nodes}
    return stack.model_copy(update={"nodes": nodes})


def proxy_client(stack: RunningStack) -> ToxiproxyClient:
    """A client for the stack's proxy API, on its published port."""
    proxies = stack.declared(Role.PROXY)
    if not proxies:
        raise LookupError(f"stack {stack.spec.name} has no proxy node")
    host, port = proxies[0].address().host_port(API_PORT)
    return ToxiproxyClient(f"http://{host}:{port}")


def populate(stack: RunningStack) -> None:
    """Create (or update) one proxy per declared link."""
    specs = [
        ProxyInfo(name=name, listen=f"0.0.0.0:{link.listen}", upstream=link.upstream)
        for name, link in stack.spec.links.items()
    ]
    proxy_client(stack).populate(specs)
