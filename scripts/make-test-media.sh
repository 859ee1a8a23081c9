#!/usr/bin/env bash
# Makes the small test clips committed in test/media/ (run once; the outputs are committed).
# Needs Debian's ffmpeg (5.1). Deterministic settings (-fflags +bitexact, fixed GOPs) so a re-run gives
# equivalent media. Total size stays well under 5 MB.
set -euo pipefail
out=${1:-"$(dirname "$0")/../test/media"}
mkdir -p "$out"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
BX=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact)

# The seed clips, as in ../shared/spec/performance-anchors.md: 30 s, no file extension (GPAC's examples).
ff -f lavfi -i testsrc2=size=640x360:rate=25 -t 30 -c:v libx264 -preset veryfast -profile:v high \
  -pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 -b:v 600k -an "${BX[@]}" -f mp4 "$out/source1"
ff -f lavfi -i sine=frequency=440:sample_rate=48000 -t 30 -c:a aac -b:a 96k "${BX[@]}" -f mp4 "$out/source2"

# H.264 with B-frames (open GOP off), moov at the end (ffmpeg's default layout), 4 s, 320x180 25 fps.
ff -f lavfi -i testsrc2=size=320x180:rate=25 -t 4 -c:v libx264 -preset medium -bf 3 -g 50 -keyint_min 50 \
  -sc_threshold 0 -pix_fmt yuv420p -b:v 200k "${BX[@]}" "$out/h264_bframes_moovend.mp4"

# Audio+video, faststart (moov first), 4 s, 29.97 fps, AAC stereo 44.1 kHz.
ff -f lavfi -i testsrc2=size=320x240:rate=30000/1001 -f lavfi -i sine=frequency=300:sample_rate=44100 \
  -filter_complex '[1:a]aformat=channel_layouts=stereo[a]' -map 0:v -map '[a]' -t 4 \
  -c:v libx264 -preset veryfast -g 30 -pix_fmt yuv420p -b:v 200k -c:a aac -b:a 64k -movflags +faststart \
  "${BX[@]}" "$out/av_2997_faststart.mp4"

# Fragmented input (empty moov, a fragment per key frame), A/V, 4 s.
ff -f lavfi -i testsrc2=size=320x180:rate=25 -f lavfi -i sine=frequency=500:sample_rate=48000 -t 4 \
  -c:v libx264 -preset veryfast -g 25 -pix_fmt yuv420p -b:v 200k -c:a aac -b:a 64k \
  -movflags frag_keyframe+empty_moov+default_base_moof "${BX[@]}" "$out/av_fragmented.mp4"

# HEVC video only, 2 s.
ff -f lavfi -i testsrc2=size=320x180:rate=25 -t 2 -c:v libx265 -preset ultrafast -x265-params log-level=error:keyint=25 \
  -tag:v hvc1 -pix_fmt yuv420p "${BX[@]}" "$out/hevc.mp4"

# One video and two audio tracks (languages eng, fra), 3 s.
ff -f lavfi -i testsrc2=size=320x180:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -f lavfi -i sine=frequency=660:sample_rate=48000 -map 0:v -map 1:a -map 2:a -t 3 \
  -c:v libx264 -preset veryfast -g 25 -pix_fmt yuv420p -b:v 150k -c:a aac -b:a 48k \
  -metadata:s:a:0 language=eng -metadata:s:a:1 language=fra "${BX[@]}" "$out/v_2audio.mp4"

ls -l "$out"
