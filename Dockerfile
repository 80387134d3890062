# The headless server (`arlo-rtsp serve`) for NAS boxes and home servers. Two stages: the first
# builds the npm package exactly as it is published (npm ci, build, npm pack); the second installs
# that tarball with `npm install -g`, the same steps a user takes, on a slim Node image with ffmpeg.
#   docker build -t arlo-local-rtsp .    # or use compose.yaml
# Data (settings, certificates, secrets) lives in the /data volume; the passphrase that encrypts the
# secrets comes from a file (Docker secret `arlo_rtsp_passphrase`, or ARLO_RTSP_PASSPHRASE_FILE).

FROM node:22-slim AS build
WORKDIR /src
# The Electron binary is for the desktop app only; its types are all the build needs.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm pack --ignore-scripts --pack-destination /tmp && mv /tmp/arlo-local-rtsp-*.tgz /tmp/arlo-local-rtsp.tgz

FROM node:22-slim
# ffmpeg takes snapshots; tini reaps children and forwards SIGTERM so serve tears sessions down cleanly.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg tini \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /tmp/arlo-local-rtsp.tgz /tmp/
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/arlo-local-rtsp.tgz \
  && rm /tmp/arlo-local-rtsp.tgz \
  && npm cache clean --force
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin arlo \
  && mkdir -p /data && chown arlo:arlo /data && chmod 700 /data
USER arlo
VOLUME ["/data"]
# Every serve option is also an environment variable (a flag on the command line wins over it):
# ARLO_RTSP_LISTEN, ARLO_RTSP_PORT_BASE, ARLO_RTSP_BASESTATION, ARLO_RTSP_HTTP. The web UI listens
# beyond the container's loopback, so it asks for the access token printed in the log at start.
ENV ARLO_RTSP_DATA_DIR=/data \
    ARLO_RTSP_HTTP=0.0.0.0:8555
# 8555: web UI, /api/state, /metrics, /healthz. 8556 onwards: one RTSP port per camera.
EXPOSE 8555 8556-8571
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["arlo-rtsp", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/lib/node_modules/arlo-local-rtsp/deploy/entrypoint.sh"]
CMD ["serve"]
