#!/usr/bin/env bash
# Installs the Debian packages Jaga needs when they are missing.
#   scripts/system-packages.sh run    packages to run Jaga
#   scripts/system-packages.sh test   the same, plus what the test suite needs (Chromium)
# As root it uses apt-get directly, otherwise sudo without a password prompt; if neither is possible
# it stops and prints the exact command to run.
set -euo pipefail

run_packages=(
  python3 python3-venv  # the virtual environment in .venv (Debian 12: Python 3.11)
  restic            # backup repositories
  rclone            # rclone repositories (restic's rclone: back end) and SFTP sources (pulled with rclone), visitor logs over SFTP
  zstd              # compressed media exports
  gnupg             # encrypted media exports (gpg --symmetric)
  mariadb-client    # mariadb-dump for MariaDB/MySQL sites
  postgresql-client # pg_dump for PostgreSQL sites
  gettext           # compiles the Indonesian and English catalogues
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core  # PDF rendering (WeasyPrint)
  fonts-liberation2 # the letters' typeface (Liberation Sans, metric-compatible with Arial), offline
  openssh-client    # ssh and ssh-keyscan for SFTP repositories and sources
  ca-certificates
)
test_packages=(
  chromium          # pages tested in a real browser (tests/e2e)
  nginx-light       # a real reverse proxy on loopback (tests of JAGA_TRUSTED_PROXIES); nginx -t of block lists
  nftables          # nft -c checks the generated nftables block list
  poppler-utils     # PDFs read back as text and pictures (pdftotext, pdftoppm: report tests)
  goaccess          # bench/traffic.py parses the same log with GoAccess, side by side
  openssh-server    # a real sshd on loopback for the SFTP back end and source (started by the tests)
)

wanted=("${run_packages[@]}")
if [ "${1:-run}" = "test" ]; then
  wanted+=("${test_packages[@]}")
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "Bukan sistem Debian/Ubuntu: pasang sendiri / not a Debian system, install these yourself: ${wanted[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Memasang paket Debian / installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo -n apt-get)
else
  echo "Paket berikut belum terpasang dan Jaga tidak dapat memasangnya tanpa hak root." >&2
  echo "The following packages are missing and Jaga cannot install them without root rights." >&2
  echo "Jalankan / run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt run (an unattended upgrade, a second checkout's set-up) holds the lock: wait for it, not fail.
lock=(-o DPkg::Lock::Timeout=600)
"${apt_get[@]}" "${lock[@]}" update -qq
"${apt_get[@]}" "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}"
