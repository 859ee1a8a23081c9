#!/usr/bin/env bash
# Makes the benchmark clips in bench/media/ (gitignored, never committed), with the exact ffmpeg command
# of the performance anchor (../shared/spec/performance-anchors.md): H.264 1280x720p30, 2 s GOP, ~2 Mb/s,
# plus AAC-LC 48 kHz mono 128 kb/s, moov at the end (ffmpeg's default layout).
#   long_av.mp4  600 s (the anchor's clip, about 160 MB)
#   av_60s.mp4    60 s (same settings, -t 60)
# Usage: bash bench/make-long-clip.sh [--force]
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p media
make() { # seconds output
  if [[ -s "media/$2" && "${FORCE:-}" != 1 ]]; then echo "media/$2 exists (--force to remake)"; return; fi
  ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=300:sample_rate=48000 -t "$1" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0 -b:v 2000k \
    -c:a aac -b:a 128k "media/$2"
  ls -l "media/$2"
}
[[ "${1:-}" == --force ]] && FORCE=1
make 60 av_60s.mp4
make 600 long_av.mp4
