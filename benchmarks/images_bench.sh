#!/usr/bin/env bash
# Cold and warm `hachaos images build` wall times, isolated from the images other runs use.
#
# cold: no base image, no debootstrap cache, no images, no layer cache (a fresh base import
#       has a new id, so no cached layer matches): pull attempt + debootstrap + import + 5 builds
# warm: the same command again, everything up to date
#
# Builds under the namespace $HACHAOS_IMAGE_NAMESPACE (default hachaos-bench) with a temporary
# XDG_CACHE_HOME, and removes only that namespace's images afterwards. Never touches hachaos/*.
# Usage: PYTHON=.venv/bin/python benchmarks/images_bench.sh [NAME...]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

PY="${PYTHON:-python3}"
export HACHAOS_IMAGE_NAMESPACE="${HACHAOS_IMAGE_NAMESPACE:-hachaos-bench}"
if [ "$HACHAOS_IMAGE_NAMESPACE" = hachaos ]; then
    echo "refusing to benchmark in the live namespace 'hachaos'" >&2
    exit 2
fi
XDG_CACHE_HOME="$(mktemp -d /tmp/hachaos-bench-cache.XXXXXX)"
export XDG_CACHE_HOME

remove_bench_images() {
    docker images --filter "reference=$HACHAOS_IMAGE_NAMESPACE/*" --format '{{.Repository}}:{{.Tag}}' |
        xargs -r docker rmi >/dev/null
}
cleanup() {
    remove_bench_images || true
    rm -rf "$XDG_CACHE_HOME"
}
trap cleanup EXIT

timed_build() {
    local t0 t1
    t0=$(date +%s.%N)
    "$PY" -m hachaos.cli images build "$@" >&2
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}

remove_bench_images
cold=$(timed_build "$@")
warm=$(timed_build "$@")
echo "images_bench namespace=$HACHAOS_IMAGE_NAMESPACE images=${*:-all}"
echo "cold_build_s=$cold"
echo "warm_build_s=$warm"
