# Gatehouse container image: one static binary (pure-Go SQLite; the fast RS256 build,
# boringcrypto linked statically, see scripts/build) on an empty base, run as an
# unprivileged user, writing only to /data.
#
#   docker build -t gatehouse --build-arg VERSION=v1.2.0 .
#   docker run -p 18080:18080 -p 8080:8080 -v gatehouse-data:/data gatehouse
#
# scripts/image builds the same image without Docker (an OCI archive for docker load).
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
RUN scripts/build --fast --stamp "${VERSION}" "${COMMIT}" "${DATE}" -o /out/gatehouse \
 && mkdir -p /out/data /out/tmp && chmod 1777 /out/tmp

FROM scratch
# CA certificates for outbound HTTPS (remote issuer, cluster probes, PostgreSQL TLS).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/gatehouse /usr/local/bin/gatehouse
# /data belongs to the runtime user so a fresh volume is writable; nothing else is
# written, so the root file system can be mounted read-only.
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/tmp /tmp
USER 65532:65532
ENV GATEHOUSE_DATA_DIR=/data
VOLUME ["/data"]
# identity (tokens, JWKS, management API), console, Web Modeler API, management (health, metrics)
EXPOSE 18080 8080 8070 9100
ENTRYPOINT ["/usr/local/bin/gatehouse", "serve"]
