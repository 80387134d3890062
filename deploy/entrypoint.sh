#!/bin/sh
# Starts arlo-rtsp with the passphrase that encrypts its secrets read from a file, so the passphrase
# never has to sit in a compose file, a unit file or `docker inspect`. Used as the Docker image's
# entrypoint and by the systemd unit. Where the passphrase comes from, first match wins:
#   ARLO_RTSP_PASSPHRASE           already set: used as is (a file named as well is an error)
#   ARLO_RTSP_PASSPHRASE_FILE      a file named explicitly
#   $CREDENTIALS_DIRECTORY/passphrase   systemd's LoadCredential=passphrase:...
#   /run/secrets/arlo_rtsp_passphrase   a Docker/compose secret named arlo_rtsp_passphrase
# A file found must be readable and not empty, else nothing starts. Trailing newlines are dropped. Then runs `arlo-rtsp` with the given arguments
# and the young-generation cap below.
set -eu

fail() {
  echo "arlo-rtsp entrypoint: $*" >&2
  exit 1
}

file=""
if [ -n "${ARLO_RTSP_PASSPHRASE_FILE:-}" ]; then
  [ -z "${ARLO_RTSP_PASSPHRASE:-}" ] || fail "both ARLO_RTSP_PASSPHRASE and ARLO_RTSP_PASSPHRASE_FILE are set; set one"
  file=$ARLO_RTSP_PASSPHRASE_FILE
elif [ -z "${ARLO_RTSP_PASSPHRASE:-}" ]; then
  for candidate in "${CREDENTIALS_DIRECTORY:+$CREDENTIALS_DIRECTORY/passphrase}" /run/secrets/arlo_rtsp_passphrase; do
    if [ -n "$candidate" ] && [ -e "$candidate" ]; then
      file=$candidate
      break
    fi
  done
fi

if [ -n "$file" ]; then
  # A file that is there but unreadable is a mistake to report, not a reason to run unencrypted.
  [ -f "$file" ] && [ -r "$file" ] || fail "the passphrase file $file is not a readable file for user $(id -un) (uid $(id -u))"
  ARLO_RTSP_PASSPHRASE=$(cat "$file")
  [ -n "$ARLO_RTSP_PASSPHRASE" ] || fail "the passphrase file $file is empty"
  export ARLO_RTSP_PASSPHRASE
fi
unset ARLO_RTSP_PASSPHRASE_FILE

# V8's young generation capped at 4 MB per semi-space (Node's default grows it to 16): relaying video
# with the default, V8 in most runs started a major GC about every 0.6 s; capped, it did not, and
# `serve` at 5 cameras x 3 viewers x 20 Mbit/s used 0.63-0.76 s of CPU per window against 1.02-1.07 s
# and 111-113 MB against 137-151 (docs/benchmarks-history.md, "Third pass"). A V8 heap flag has to be on
# node's command line or in NODE_OPTIONS; the user's own NODE_OPTIONS come after it, so they win.
export NODE_OPTIONS="--max-semi-space-size=4${NODE_OPTIONS:+ $NODE_OPTIONS}"

exec arlo-rtsp "$@"
