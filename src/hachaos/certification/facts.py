"""A booted stack's facts for the record: per node its image, content hash and versions."""

from __future__ import annotations

from hachaos.certification.record import NodeFacts, StackRecord
from hachaos.certification.versions import stack_versions
from hachaos.node import HasImage, Node
from hachaos.running import RunningStack


def _image(node: Node) -> tuple[str | None, str | None]:
    if not isinstance(node, HasImage):
        return None, None
    try:
        facts = node.image()
    except Exception:  # facts are optional: a node that cannot tell simply has none
        return None, None
    return facts.ref, facts.content_hash


def stack_record(stack: RunningStack, timeout_s: float = 10.0) -> StackRecord:
    """Read every node's image facts and software versions (in parallel, bounded)."""
    versions = stack_versions(stack.nodes, timeout_s)
    nodes: dict[str, NodeFacts] = {}
    for name, node in stack.nodes.items():
        ref, content_hash = _image(node)
        nodes[name] = NodeFacts(
            role=node.role, image=ref, image_hash=content_hash, software=versions.get(name, {})
        )
    return StackRecord(name=stack.spec.name, nodes=nodes)
