#!/bin/sh
# Starts arlo-rtsp with the passphrase that encrypts its secrets read from a file, so the passphrase
# never has to sit in a compose file, a unit file or `docker inspect`. Used as the Docker image's
# entrypoint and by the systemd unit. Where the passphrase comes from, first match wins:
#   ARLO_RTSP_PASSPHRASE           already set: used as is (a file named as well is an error)
#   ARLO_RTSP_PASSPHRASE_FILE      a file named explicitly
#   $CREDENTIALS_DIRECTORY/passphrase   systemd's LoadCredential=passphrase:...
#   /run/secrets/arlo_rtsp_passphrase   a Docker/compose secret named arlo_rtsp_passphrase
# A file found must be readable and not empty, else nothing starts. Trailing newlines are dropped. Then runs `arlo-rtsp` with the given arguments
# (whose own first line caps V8's young generation, src/main/headless/cli.ts).
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

exec arlo-rtsp "$@"
