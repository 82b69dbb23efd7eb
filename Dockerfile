# syntax=docker/dockerfile:1
# edgewatch image: one image for every role (`start`, `ingest`, `process`, `serve`), picked by the command.
#
#   docker build -t edgewatch .                 # build stage runs CI's npm commands, then the runtime image
#   docker build --target test -t edgewatch:test . && docker run --rm edgewatch:test   # `npm test`, as .ci/run
#
# Stages: build (all dependencies, npm ci + typecheck + dashboard build), test (runs `npm test`),
# prod-deps (production dependencies only), runtime (non-root, no dev dependencies, no compilers).
ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/ensure-deps.mjs scripts/
# The same install `npm test` and `npm start` run on a fresh clone (npm ci, with the lockfile fallback).
RUN node scripts/ensure-deps.mjs
COPY . .
# The same commands CI and the README run: typecheck, then the dashboard build.
RUN npm run build

FROM build AS test
ENV CI=true
CMD ["npm", "test"]

FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-save --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    EDGEWATCH_HOST=0.0.0.0 \
    PORT=8080 \
    EDGEWATCH_DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json README.md ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root cli ./cli
COPY --chown=root:root ingest ./ingest
COPY --chown=root:root processor ./processor
COPY --chown=root:root api ./api
COPY --chown=root:root dashboard ./dashboard
COPY --chown=root:root infra/clickhouse ./infra/clickhouse
COPY --from=build --chown=root:root /app/dashboard/dist ./dashboard/dist
# The code is owned by root and read-only to the process; only the data dir is writable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/edgewatch.mjs"]
CMD ["start"]
