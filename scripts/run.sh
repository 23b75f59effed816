#!/usr/bin/env bash
# Sets up and runs the crio daemon with working defaults, in the foreground (Ctrl-C stops it):
# installs the OCI runtimes, the monitor and the CNI plugins from Debian, builds crio, puts a
# bridge CNI network in /etc/cni/net.d when the node has none, and serves the CRI on
# /var/run/crio/crio.sock. Extra arguments go to crio (e.g. --log-level debug).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
require_root
ensure_dotnet
ensure_packages runc crun conmon containernetworking-plugins iptables

log "building crio (NativeAOT, Release)"
publish_crio "$REPO_ROOT/out"

if ! ls /etc/cni/net.d/*.conf /etc/cni/net.d/*.conflist /etc/cni/net.d/*.json >/dev/null 2>&1; then
  log "no CNI network configured: installing manifests/cni/11-crio-ipv4-bridge.conflist"
  install -D -m 0644 "$REPO_ROOT/manifests/cni/11-crio-ipv4-bridge.conflist" /etc/cni/net.d/11-crio-ipv4-bridge.conflist
fi

log "starting crio (config: /etc/crio/crio.conf and /etc/crio/crio.conf.d/, if present)"
exec "$REPO_ROOT/out/crio" "$@"
