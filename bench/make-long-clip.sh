#!/usr/bin/env bash
# Makes the benchmark clips in bench/media/ (gitignored, never committed), with the exact ffmpeg command
# of the performance anchor (../shared/spec/performance-anchors.md): H.264 1280x720p30, 2 s GOP, ~2 Mb/s,
# plus AAC-LC 48 kHz mono 128 kb/s, moov at the end (ffmpeg's default layout).
#   long_av.mp4  600 s (the anchor's clip, about 160 MB)
#   av_60s.mp4    60 s (same settings, -t 60)
#   long_3600.mp4 3,600 s (long_av.mp4 six times, ffmpeg's concat demuxer with -c copy: about 960 MB; only
#                 with --3600, and skipped with a message when less than 3 GB are free)
# Usage: bash bench/make-long-clip.sh [--force] [--3600]
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
LONG3600=
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --3600) LONG3600=1 ;;
    *) echo "usage: bash bench/make-long-clip.sh [--force] [--3600]" >&2; exit 2 ;;
  esac
done
make 60 av_60s.mp4
make 600 long_av.mp4
# 3,600 s: six copies of the 600 s clip joined without re-encoding (same streams, timestamps continued).
make3600() {
  if [[ -s media/long_3600.mp4 && "${FORCE:-}" != 1 ]]; then echo "media/long_3600.mp4 exists (--force to remake)"; return; fi
  local free_kb
  free_kb=$(df -Pk media | awk 'NR==2 {print $4}')
  if (( free_kb < 3 * 1024 * 1024 )); then
    echo "skipping media/long_3600.mp4: only $((free_kb / 1024)) MiB free in bench/media (3 GB needed: the clip is ~1 GB and the benchmark writes as much)" >&2
    return
  fi
  local list
  list=$(mktemp)
  for _ in 1 2 3 4 5 6; do echo "file '$PWD/media/long_av.mp4'"; done >"$list"
  ffmpeg -nostdin -hide_banner -loglevel error -y -f concat -safe 0 -i "$list" -c copy media/long_3600.mp4
  rm -f "$list"
  ls -l media/long_3600.mp4
}
if [[ -n "$LONG3600" ]]; then make3600; fi
