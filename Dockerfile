# devfleet server image.
#
#   docker build -t devfleet-server .
#   docker run -d -p 127.0.0.1:8080:8080 -v devfleet-data:/data \
#     -e DEVFLEET_ENROLL_SECRET=... -e DEVFLEET_ADMIN_PASSWORD=... devfleet-server
#
# Stages:
#   toolchain  node:20 plus python3/make/g++, so better-sqlite3 can compile when no prebuilt
#              binary can be downloaded
#   build      the whole workspace: npm ci, npm run build (wire, agent, server, web/dist)
#   deps       production node_modules of the server workspace only (no dev tools, no agent
#              or web packages); independent of "build", so BuildKit runs both at once
#   runtime    node:20 slim, non-root, only what the server reads at run time

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifests alone first, so the dependency layers stay cached while only sources change.
COPY package.json package-lock.json ./
COPY wire/package.json wire/
COPY agent/package.json agent/
COPY server/package.json server/
COPY web/package.json web/

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM toolchain AS deps
# better-sqlite3 needs only its lib/ and build/Release/better_sqlite3.node at run time: drop its
# sources and object files, then load it once to prove the trimmed copy still works.
RUN npm ci --omit=dev --workspace=server --include-workspace-root=false --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/Release/obj build/Release/obj.target build/Release/.deps \
      build/Release/test_extension.node build/Release/*.a \
 && cd /src \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DEVFLEET_HOST=0.0.0.0 \
    DEVFLEET_PORT=8080 \
    DEVFLEET_DB=/data/devfleet.db
WORKDIR /app
# Same layout as the repository, so paths the server resolves from its own location
# (../../web/dist, ../../migrations) hold. Files stay owned by root: the server only reads them.
COPY --from=deps /src/package.json ./package.json
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/wire/package.json ./wire/package.json
COPY --from=build /src/wire/dist ./wire/dist
COPY --from=build /src/server/package.json ./server/package.json
COPY --from=build /src/server/bin ./server/bin
COPY --from=build /src/server/dist ./server/dist
COPY --from=build /src/web/dist ./web/dist
COPY --from=build /src/migrations ./migrations
# The node image's "node" user (uid 1000) runs the server and owns only the data directory.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.DEVFLEET_PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server/bin/devfleet-server.js"]
