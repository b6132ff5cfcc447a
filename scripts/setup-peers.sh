#!/usr/bin/env bash
# Prepares this machine for hometel's tests: installs the Debian packages of the real peers the
# tests talk to (when missing) and lets SSDP multicast run on the loopback interface.
# --bench: also the benchmarks' peers (rtpengine for the media relay benchmark, tftpd-hpa for the TFTP one).
set -euo pipefail

packages=(gir1.2-gupnp-1.6 libgupnp-1.6-dev python3-gi gcc pkg-config libxml2-utils iproute2 sip-tester kamailio baresip-core nftables tcpdump chromium prometheus atftp tftp-hpa)
bench_packages=(rtpengine-daemon tftpd-hpa)
[ "${1:-}" = "--bench" ] && packages+=("${bench_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  # The benchmark starts rtpengine itself; Debian's system service (ports 30000–40000, as the tests use) stays off.
  # The tests run promtool only; Debian's Prometheus server (port 9090) stays off.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
    as_root systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true
  fi
  if [[ " ${missing[*]} " == *" rtpengine-daemon "* ]] && command -v systemctl >/dev/null; then
    as_root systemctl disable --now rtpengine-daemon rtpengine-recording-daemon >/dev/null 2>&1 || true
  fi
  # The TFTP benchmark starts in.tftpd itself on a port of its own; Debian's service (port 69) stays off.
  if [[ " ${missing[*]} " == *" tftpd-hpa "* ]] && command -v systemctl >/dev/null; then
    as_root systemctl disable --now tftpd-hpa >/dev/null 2>&1 || true
  fi
fi

# SSDP on lo: lo needs the MULTICAST flag, and the group is routed to lo so that a peer which does
# not pin its interface still stays on loopback (hometel and GUPnP pin theirs).
as_root ip link set lo multicast on
as_root ip route replace 239.255.255.250/32 dev lo src 127.0.0.1
