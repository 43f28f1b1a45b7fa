# syntax=docker/dockerfile:1
# The gateway runtime image: `ai-gateway-cli start` (the gateway) and `ai-gateway-cli webhook` (sidecar injector).
# Build:  docker build -t ai-gateway:0.1.0 .
# Run:    docker run -p 8080:8080 -v "$PWD/examples:/etc/ai-gateway:ro" ai-gateway:0.1.0

# ---- build: compile TypeScript with the dev dependencies, then keep only the production ones ----------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off (the project allow-lists them); the build below is the only step that needs to run.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY common ./common
COPY sdk ./sdk
COPY runtime ./runtime
# The runtime project and the two it references (common, sdk): nothing of the editor is compiled into the image.
RUN npx tsc -b runtime \
 && rm -rf out/tsbuildinfo \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Node, the compiled runtime and production dependencies, as a non-root user ------------------
FROM node:20-bookworm-slim AS runtime
# tini forwards SIGTERM to Node and reaps children, so a rolling update drains instead of being killed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# MALLOC_TRIM_THRESHOLD_: glibc returns freed memory to the system (common/src/nodeFlags.ts, GATEWAY_ENV).
ENV NODE_ENV=production \
    AI_GATEWAY_PORT=8080 \
    MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/out ./out
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/schemas ./schemas
COPY --chown=root:root examples/ai-gateway.yaml /etc/ai-gateway/ai-gateway.yaml
# The code is owned by root and read-only to the process; it runs as the image's unprivileged `node` user (uid 1000).
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.AI_GATEWAY_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=8", "--no-allocation-site-pretenuring", "/app/bin/ai-gateway-cli.js"]
CMD ["start", "--config", "/etc/ai-gateway/ai-gateway.yaml", "--host", "0.0.0.0", "--port", "8080"]
