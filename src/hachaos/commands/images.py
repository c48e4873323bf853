"""`hachaos images build|status`: service images from Debian packages, no registry needed."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from hachaos.images import BaseKind, State, build_images, image_statuses
from hachaos.images.engine import connect


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `images build` and `images status`."""
    parser = subparsers.add_parser("images", help="build or inspect hachaos service images")
    actions = parser.add_subparsers(dest="images_command", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="build images (skips those up to date)")
    build.add_argument("names", nargs="*", metavar="NAME", help="images to build (default: all)")
    build.add_argument("--force", action="store_true", help="rebuild without the layer cache")
    build.add_argument(
        "--base",
        choices=[k.value for k in BaseKind],
        default=BaseKind.AUTO.value,
        help="official debian:bookworm-slim, a debootstrap import, or auto (try pull once)",
    )
    build.set_defaults(func=run_build)
    status = actions.add_parser("status", help="show which images are built and up to date")
    status.add_argument("names", nargs="*", metavar="NAME", help="images to show (default: all)")
    status.set_defaults(func=run_status)


def run_build(args: argparse.Namespace) -> int:
    """Build the requested images in dependency order, streaming progress."""
    build_and_report(args.names, force=args.force, base=BaseKind(args.base))
    return 0


def build_and_report(
    names: Sequence[str] = (), *, force: bool = False, base: BaseKind = BaseKind.AUTO
) -> None:
    """Build `names` (default all), then print one summary line with the counts and time."""
    started = time.monotonic()
    results = build_images(connect(timeout_s=1800), names, force=force, base=base)
    built = sum(r.built for r in results)
    total = time.monotonic() - started
    print(f"images: {built} built, {len(results) - built} up to date in {total:.1f}s", flush=True)


def run_status(args: argparse.Namespace) -> int:
    """One line per image; exit 1 when any is missing or stale."""
    statuses = image_statuses(connect(), args.names)
    for s in statuses:
        hint = "" if s.state is State.UP_TO_DATE else f"  (run: {s.hint})"
        print(f"{s.ref:32} {s.state.value}{hint}")
    return 0 if all(s.state is State.UP_TO_DATE for s in statuses) else 1
