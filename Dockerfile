# sawt on Debian 12 (docs/deploy.md, "Docker").  Two stages: the build
# (the packages of scripts/deps.sh "build"), then the runtime image (its
# "runtime" list) with the installed layout of `meson install --prefix=/usr`:
# /usr/bin/sawt, /usr/sbin/sawtd, /usr/share/sawt/migrations,
# /etc/sawt/sawt.conf.
#
# The container starts sawtd as root so that it can take over the state
# volume (a fresh volume is root's); sawtd then becomes the user "sawt"
# (made here, in group dialout for the modems passed with --device) before
# it starts a modem worker.
FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc libc6-dev pkg-config meson ninja-build libevent-dev libpq-dev libssl-dev \
      libgammu-dev libjansson-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY meson.build meson_options.txt README.md ./
COPY meson ./meson
COPY include ./include
COPY src ./src
COPY migrations ./migrations
COPY web ./web
COPY config ./config
COPY deploy ./deploy
COPY docs ./docs
COPY scripts/install-config.sh ./scripts/
RUN meson setup /build --prefix=/usr --buildtype=release -Dtests=false \
 && ninja -C /build \
 && DESTDIR=/install meson install -C /build --no-rebuild

FROM debian:12
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      postgresql procps libgammu8 libevent-2.1-7 libevent-openssl-2.1-7 libpq5 libssl3 libjansson4 libjs-chart.js \
 && rm -rf /var/lib/apt/lists/* \
 && adduser --system --group --home /var/lib/sawt --no-create-home sawt \
 && adduser sawt dialout
COPY --from=build /install/ /
# the configuration holds secrets: readable by root and sawt only
RUN chgrp sawt /etc/sawt/sawt.conf && chmod 0640 /etc/sawt/sawt.conf
# sawtd's state: the embedded PostgreSQL (when no [database] url), the
# spool of messages received while the database is away, the dummy phone.
VOLUME /var/lib/sawt
# [http] listen in the configuration
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["/usr/sbin/sawtd", "-c", "/etc/sawt/sawt.conf"]
