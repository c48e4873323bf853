"""Links on a hosts stack go through the user's own Toxiproxy (`toxiproxy:` in the stack):
hachaos never creates or changes its proxies, it checks that every declared link is there."""

from __future__ import annotations

from hachaos.errors import InfraError
from hachaos.proxy.client import ToxiproxyClient, ToxiproxyError
from hachaos.spec.models import StackSpec


def check_links(stack: StackSpec) -> None:
    """Every link of `stack` is a proxy of its Toxiproxy; one-line InfraError otherwise."""
    url = stack.toxiproxy_url
    if not stack.links or url is None:
        return
    try:
        proxies = ToxiproxyClient(url, timeout=5).proxies()
    except ToxiproxyError as exc:
        raise InfraError(f"stack '{stack.name}': Toxiproxy {url} does not answer ({exc})") from None
    missing = [name for name in stack.links if name not in proxies]
    if missing:
        link = stack.links[missing[0]]
        raise InfraError(
            f"stack '{stack.name}': Toxiproxy {url} has no proxy '{missing[0]}'; create it "
            f"(listen on {link.listen}, upstream {link.upstream}) or drop the link"
        )
