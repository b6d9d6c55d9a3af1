# The one Dockerfile of the repository; the build context is its root.
# A OneCommons service (the default target):
#   docker build --build-arg SERVICE=identity -t onecommons/identity .
# `node service/main.js` serves (the default); `node service/migrate.js` creates or updates the service's
# schema and role and exits (docker-compose's `<service>-migrate`, the Kubernetes migration Job).
# A local stand-in for a system outside the platform, for docker-compose.yml (tools/fake-stripe, fake-clouds):
#   docker build --target fake --build-arg FAKE=fake-stripe --build-arg HEALTH_PORT=12111 -t onecommons/fake-stripe .

FROM node:24-bookworm-slim AS install
WORKDIR /app
# Manifests before sources: the install layer is rebuilt only when a manifest or the lock changes, not on
# every code change. npm needs every workspace's package.json to follow the lock.
COPY package.json package-lock.json ./
COPY libs/allocation/package.json libs/allocation/
COPY libs/auth/package.json libs/auth/
COPY libs/config/package.json libs/config/
COPY libs/contracts/package.json libs/contracts/
COPY libs/kafka/package.json libs/kafka/
COPY libs/persistence/package.json libs/persistence/
COPY libs/service-kit/package.json libs/service-kit/
COPY libs/telemetry/package.json libs/telemetry/
COPY libs/testing/package.json libs/testing/
COPY services/catalog/package.json services/catalog/
COPY services/identity/package.json services/identity/
COPY services/ledger/package.json services/ledger/
COPY services/metering/package.json services/metering/
COPY services/payouts/package.json services/payouts/
COPY services/provisioner/package.json services/provisioner/
COPY services/webhooks/package.json services/webhooks/
COPY tests/chaos/package.json tests/chaos/
COPY tests/e2e/package.json tests/e2e/
COPY tools/bench/package.json tools/bench/
COPY tools/cli/package.json tools/cli/
COPY tools/deploy/package.json tools/deploy/
COPY tools/devstack/package.json tools/devstack/
COPY tools/fake-clouds/package.json tools/fake-clouds/
COPY tools/fake-stripe/package.json tools/fake-stripe/
COPY tools/lint/package.json tools/lint/
# Install scripts stay off, as the root package.json's allowScripts asks; argon2 loads its bundled prebuild.
# `npm install --no-save` follows the lock file; `npm ci` refuses a lock that lacks optional packages of
# other platforms, which a registry mirror may not have.
RUN npm install --no-save --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./

FROM install AS fake-build
ARG FAKE
RUN test -n "$FAKE" || { echo 'build the fake target with --build-arg FAKE=<fake-stripe or fake-clouds>' >&2; exit 1; }
COPY tools/ tools/
RUN node_modules/.bin/tsc -b tools/${FAKE}/tsconfig.json \
  && mkdir -p /out/fake \
  && cp -R tools/${FAKE}/package.json tools/${FAKE}/dist /out/fake/ \
  && mkdir -p /out/node_modules && cp -R node_modules/yaml /out/node_modules/ \
  && find /out -name '*.tsbuildinfo' -delete

# A fake uses Node's standard library at run time, and the fake clouds `yaml` (to read the cloud-init they are
# sent, which has no dependencies of its own): the image carries its compiled code and that.
# Its host and ports come from its environment (docker-compose.yml sets them); HEALTH_PORT is the one whose
# /_fake/health answers.
FROM node:24-bookworm-slim AS fake
ARG HEALTH_PORT
ENV FAKE_HEALTH_PORT=${HEALTH_PORT}
WORKDIR /app
COPY --from=fake-build /out/ ./
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.FAKE_HEALTH_PORT + '/_fake/health').then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "fake/dist/src/main.js"]

FROM install AS build
ARG SERVICE
RUN test -n "$SERVICE" || { echo 'build with --build-arg SERVICE=<name of a folder in services/>' >&2; exit 1; }
# Every service's sources, not this one's alone: a service's tests (compiled with it) boot the services it
# talks to by their definitions, and identity's boot the fake Stripe.
COPY libs/ libs/
COPY services/ services/
COPY tools/ tools/
RUN node_modules/.bin/tsc -b services/${SERVICE}/tsconfig.json
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund
# What the runtime needs besides node_modules: the root package.json, each built lib's package.json and
# dist, and this service's package.json and dist.
RUN mkdir -p /out/services/${SERVICE} \
  && cp package.json /out/ \
  && cp -R services/${SERVICE}/package.json services/${SERVICE}/dist /out/services/${SERVICE}/ \
  && for lib in libs/*; do \
       if [ -d "$lib/dist" ]; then mkdir -p "/out/$lib" && cp -R "$lib/package.json" "$lib/dist" "/out/$lib/"; fi; \
     done \
  && find /out -name '*.tsbuildinfo' -delete \
  && ln -s services/${SERVICE}/dist/src /out/service

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0
WORKDIR /app
# Owned by root and read-only for the node user: the service never writes its own code.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /out/ ./
# The node user of the base image, by uid, so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
# HTTP_PORT is set per service (docker-compose.yml, deploy/kubernetes); /health/live needs no dependency.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/health/live').then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--disable-warning=TimeoutNegativeWarning", "service/main.js"]
