#!/usr/bin/env bash
# Install everything the station needs on a fresh Debian machine (as root or with sudo):
# system packages (poppler-utils for PDF pages, DejaVu fonts for Romanian diacritics,
# PostgreSQL and Chromium for the station's storage and browser tests),
# then the Python package with its test tools.
set -euo pipefail
cd "$(dirname "$0")"
SYSTEM_PACKAGES=(poppler-utils fonts-dejavu-core postgresql chromium chromium-driver)
missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
