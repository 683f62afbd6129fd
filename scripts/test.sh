#!/usr/bin/env bash
# Install everything (the project, its test tools, Debian's chromium and colour emoji font
# for the browser test) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh dev
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# posts are full of emoji: without a colour emoji font the browser draws empty boxes
fc-list 2>/dev/null | grep -i "color emoji" >/dev/null \
  || dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null) \
    || echo "warning: could not install ${need[*]}; without chromium the browser test is skipped" >&2
fi
exec .venv/bin/python -m pytest "$@"
