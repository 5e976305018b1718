# ospod container image.
#
#   docker build -t ospod .
#   docker run -p 8080:8080 -v ospod-data:/data -e OSPO_BASE_URL=https://ospo.example.org ospod
#
# The admin token is printed once in the container log on first start
# (docker logs), unless OSPO_ADMIN_TOKEN is set.

# --- Build -------------------------------------------------------------------
# The same `go build ./cmd/ospod` that the tests and .ci/run use. The SQLite
# driver (modernc.org/sqlite) is pure Go, so the binary is static without cgo.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# Only the Go packages are copied, never a local ./data folder (it holds the
# node's private key and the admin token hash). Add new top-level packages here.
COPY cmd ./cmd
COPY api ./api
COPY federation ./federation
COPY store ./store
RUN CGO_ENABLED=0 go build -o /out/ospod ./cmd/ospod

# --- Run ---------------------------------------------------------------------
# Debian slim rather than distroless: a shell for `docker exec` and the
# docker-compose follow services, and sqlite3 for online backups
# (see docs/operations.md). The time zone database is inside the binary.
FROM debian:trixie-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 ospod \
 && useradd --system --uid 10001 --gid ospod --home-dir /data --no-create-home --shell /usr/sbin/nologin ospod \
 && mkdir /data \
 && chown ospod:ospod /data \
 && chmod 700 /data
COPY --from=build /out/ospod /usr/local/bin/ospod

# A named volume mounted on /data starts with this folder's owner, so the
# non-root user can write the database.
USER 10001:10001
WORKDIR /data
ENV OSPO_DATA=/data \
    OSPO_LISTEN=:8080
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD ["ospod", "healthcheck"]
ENTRYPOINT ["ospod"]
CMD ["serve"]
