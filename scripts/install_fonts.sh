#!/usr/bin/env bash
# Install a CJK font so that Chinese text renders in the charts of `fanpin report`.
#
# Debian/Ubuntu: installs `fonts-noto-cjk` (Noto Sans CJK SC) with apt-get.
# Idempotent: does nothing when a CJK font is already known to fontconfig.
# Needs root (or sudo) for apt-get; without it, prints what to run and exits 0,
# because fanpin falls back to English-only chart labels (with a warning).
#
# After installing, matplotlib's font cache is rebuilt on its next import
# (it notices the new font directory); `fanpin report` finds the font through
# matplotlib.font_manager.
set -euo pipefail

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -qi .
}

if has_cjk_font; then
    echo "install_fonts: a CJK font is already installed:"
    fc-list :lang=zh family | sort -u | head -n 3
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_fonts: apt-get not found; install a CJK font (e.g. Noto Sans CJK SC)" \
         "with your system's package manager." >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_fonts: not root and no sudo; run as root:" \
             "apt-get update && apt-get install -y fonts-noto-cjk" >&2
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends fonts-noto-cjk fontconfig
fc-cache -f >/dev/null 2>&1 || true

# Drop matplotlib's font cache so the new font is picked up on the next import.
for py in "${PYTHON:-}" .venv/bin/python python3; do
    if [ -n "$py" ] && command -v "$py" >/dev/null 2>&1; then
        cachedir=$("$py" -c 'import matplotlib; print(matplotlib.get_cachedir())' \
                   2>/dev/null || true)
        if [ -n "$cachedir" ]; then
            rm -f "$cachedir"/fontlist-*.json
        fi
        break
    fi
done

if has_cjk_font; then
    echo "install_fonts: installed:"
    fc-list :lang=zh family | sort -u | head -n 3
else
    echo "install_fonts: fonts-noto-cjk installed but no CJK font found by fc-list" >&2
    exit 1
fi
