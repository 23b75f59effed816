# Shared by scripts/run.sh and scripts/test.sh: idempotent installs and the .NET build.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "run as root (crio manages mounts, namespaces and cgroups): sudo $0"
}

# Installs the Debian packages that are missing; does nothing (and no apt-get update) when all are there.
ensure_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Unpacks Debian package $1 into $2 (once): for a client the tests run from there, such as
# kubernetes-client's kubectl, whose /usr/bin/kubectl another package of the machine may own.
unpack_debian_package() {
  local package="$1" target="$2" download
  [ -f "$target/.unpacked" ] && return 0
  download="$(mktemp -d)"
  log "unpacking Debian's $package into $target"
  (cd "$download" && apt-get download -qq "$package" 2>/dev/null) || { apt-get update -qq && (cd "$download" && apt-get download -qq "$package"); }
  rm -rf "$target" && mkdir -p "$target"
  dpkg-deb -x "$download"/"$package"_*.deb "$target"
  touch "$target/.unpacked"
  rm -rf "$download"
}

# Node.js and npm drive the independent (non-.NET) clients of the e2e suite.
ensure_node() {
  command -v node >/dev/null 2>&1 || ensure_packages nodejs
  command -v npm >/dev/null 2>&1 || ensure_packages npm
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is needed (dotnet on PATH): https://dot.net"
  local major
  major="$(dotnet --version | cut -d. -f1)"
  [ "$major" -ge 10 ] || die "the .NET 10 SDK is needed; found $(dotnet --version)"
}

# Publishes crio as a NativeAOT executable to $1 (the form run.sh runs and the e2e suite tests),
# with the helpers it execs beside it, also NativeAOT: crio-pinns (pins a pod's namespaces),
# crio-pause (a pod's PID 1), crio-conmon (a container's monitor) and crio-play (`crio play`);
# crio looks for them in its own folder.
publish_crio() {
  local rid project
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac
  # NativeAOT links with the system C toolchain.
  ensure_packages gcc libc6-dev zlib1g-dev
  for project in cri-server/CriO.Server.csproj pinns/CriO.Pinns.csproj pause/CriO.Pause.csproj conmon/Monitor/CriO.Conmon.Monitor.csproj play/CriO.Play.csproj; do
    dotnet publish "$REPO_ROOT/$project" -c Release -r "$rid" -o "$1" -v quiet -nologo >/dev/null
  done
}

# Puts back what CNI plugins change for every pod on the host: ip_forward to $1, and portmap's
# base chains when no host-port rule is left in them (a node in use keeps both).
restore_host_network() {
  echo "$1" > /proc/sys/net/ipv4/ip_forward
  command -v iptables >/dev/null || return 0
  if [ "$(iptables -t nat -S CNI-HOSTPORT-DNAT 2>/dev/null | wc -l)" = 1 ]; then
    iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null || true
    iptables -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null || true
    iptables -t nat -D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ 2>/dev/null || true
    for chain in CNI-HOSTPORT-DNAT CNI-HOSTPORT-MASQ CNI-HOSTPORT-SETMARK; do
      iptables -t nat -F "$chain" 2>/dev/null || true
      iptables -t nat -X "$chain" 2>/dev/null || true
    done
  fi
}
