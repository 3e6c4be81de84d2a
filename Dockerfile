# Builds the castellan binary and runs it on a slim Debian image.
FROM rust:1.95-bookworm AS build
# librdkafka is built from source by the rdkafka crate (cmake; it includes curl's headers).
RUN apt-get update && apt-get install -y --no-install-recommends cmake libcurl4-openssl-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p castellan-server --bin castellan

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/castellan castellan \
    && mkdir -p /var/lib/castellan && chown castellan /var/lib/castellan
COPY --from=build /src/target/release/castellan /usr/local/bin/castellan
USER castellan
ENV CASTELLAN_DATA_DIR=/var/lib/castellan
EXPOSE 8080
ENTRYPOINT ["castellan"]
CMD ["start"]
