#!/usr/bin/env bash
# Makes sure headless Chromium is installed for ReportRenderingIT: installs Debian's `chromium`
# package when /usr/bin/chromium is absent (CI runs as root). Fails the build when it cannot.
set -euo pipefail
CHROMIUM="${FEATUREPIPE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "ensure-chromium: $CHROMIUM is missing; installing the Debian package 'chromium'"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium
test -x "$CHROMIUM"
