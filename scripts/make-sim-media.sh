#!/bin/sh
# Makes the simulated base station's media clips from ffmpeg test sources (no camera footage).
# Elementary streams, looped by the simulator: Annex-B H.264 and H.265 without B-frames (so decode
# order is presentation order and RTP timestamps simply advance by one frame), a keyframe every
# second, and AAC-LC in ADTS. Re-run only to change them; the output is committed.
set -eu
out="$(dirname "$0")/../src/sim/media"
mkdir -p "$out"
seconds=4
fps=15

ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=$fps" -t "$seconds" \
  -c:v libx264 -profile:v main -pix_fmt yuv420p -bf 0 -g "$fps" -keyint_min "$fps" -sc_threshold 0 \
  -b:v 250k -maxrate 300k -bufsize 300k -bsf:v h264_mp4toannexb -f h264 "$out/avc-640x360-15fps.h264"

ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=1280x720:rate=$fps" -t "$seconds" \
  -c:v libx265 -pix_fmt yuv420p -b:v 300k \
  -x265-params "log-level=error:bframes=0:keyint=$fps:min-keyint=$fps:scenecut=0:repeat-headers=1" \
  -f hevc "$out/hevc-1280x720-15fps.h265"

ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "sine=frequency=440:sample_rate=16000" -t "$seconds" \
  -c:a aac -profile:a aac_low -ac 1 -ar 16000 -b:a 32k -f adts "$out/aac-16khz-mono.aac"

ls -l "$out"
