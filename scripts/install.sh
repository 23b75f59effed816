#!/usr/bin/env bash
# Installs crio on this node as a service, for operators (run.sh is the try-it-now path):
# the runtimes, monitor and CNI plugins from Debian; crio and its helpers (crio-conmon,
# crio-pinns, crio-pause, crio-play) into $PREFIX/bin; manifests/crio.conf as /etc/crio/crio.conf and
# manifests/crictl.yaml as /etc/crictl.yaml unless they exist; the bridge CNI network when
# /etc/cni/net.d has none; the systemd unit, enabled and started where systemd runs.
#   PREFIX   install prefix (default /usr/local); the unit's ExecStart expects /usr/local/bin
#   DESTDIR  stage into this folder instead of / (packaging; nothing is started)
#   CRIO_OUT take crio from this folder, already published, instead of building it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
if [ -z "$DESTDIR" ]; then
  require_root
  ensure_packages runc crun conmon containernetworking-plugins iptables
fi

out="${CRIO_OUT:-}"
if [ -z "$out" ]; then
  ensure_dotnet
  log "building crio (NativeAOT, Release)"
  out="$REPO_ROOT/out"
  publish_crio "$out"
fi

log "installing crio and its helpers into $DESTDIR$PREFIX/bin"
install -d "$DESTDIR$PREFIX/bin"
install -m 0755 "$out/crio" "$out/crio-conmon" "$out/crio-pinns" "$out/crio-pause" "$out/crio-play" "$DESTDIR$PREFIX/bin/"

# An existing file is the operator's: never overwritten.
install_once() {
  if [ -e "$DESTDIR$2" ]; then
    log "keeping $2"
  else
    log "installing $2"
    install -D -m 0644 "$REPO_ROOT/$1" "$DESTDIR$2"
  fi
}
install_once manifests/crio.conf /etc/crio/crio.conf
install -d "$DESTDIR/etc/crio/crio.conf.d"
install_once manifests/crictl.yaml /etc/crictl.yaml
if ! ls "$DESTDIR"/etc/cni/net.d/*.conf "$DESTDIR"/etc/cni/net.d/*.conflist "$DESTDIR"/etc/cni/net.d/*.json >/dev/null 2>&1; then
  install_once manifests/cni/11-crio-ipv4-bridge.conflist /etc/cni/net.d/11-crio-ipv4-bridge.conflist
fi
install -D -m 0644 "$REPO_ROOT/manifests/systemd/crio.service" "$DESTDIR/etc/systemd/system/crio.service"

if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
  log "enabling and starting crio.service"
  systemctl daemon-reload
  systemctl enable --now crio.service
elif [ -z "$DESTDIR" ]; then
  log "systemd does not run this node: start crio yourself ($PREFIX/bin/crio), e.g. from your init system"
fi
