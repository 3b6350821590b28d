# A software TPM 2.0 for CI (docker/docker-compose.ci.yml): swtpm on TCP,
# command port 2321, control port 2322.
FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends swtpm \
 && rm -rf /var/lib/apt/lists/*
EXPOSE 2321 2322
ENTRYPOINT ["swtpm"]
