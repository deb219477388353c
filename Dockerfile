# The Gantry image: a JRE and the gantry jar. It is both the Docker agent's image and the
# default image of flow runs (`gantry execute flow-run`), and it carries every storage option
# (local and S3), so no flow needs a custom image just to be fetched.
#
#   mvn -B -DskipTests package
#   docker build -t gantry:0.1.0 .
#
# Offline builds give a locally made base (see .ci/docker-engine.sh):
#   docker build --build-arg BASE_IMAGE=gantry-base:bookworm-jre17 -t gantry:0.1.0 .
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

# The `gantry` command: GANTRY_JAVA_OPTS adds JVM options (e.g. -Xmx512m) for agent and runs.
RUN mkdir -p /opt/gantry \
 && printf '%s\n' \
      '#!/bin/sh' \
      'exec java ${GANTRY_JAVA_OPTS:-} -XX:SharedArchiveFile=/opt/gantry/gantry.jsa -Xshare:auto -jar /opt/gantry/gantry.jar "$@"' \
      > /usr/local/bin/gantry \
 && chmod 0755 /usr/local/bin/gantry \
 && (getent group gantry >/dev/null || groupadd --system --gid 10001 gantry) \
 && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/gantry \
      --shell /usr/sbin/nologin gantry

COPY agent-cli/target/gantry.jar /opt/gantry/gantry.jar

# A class-data sharing archive of the classes the bootstrap loads makes every run's JVM start
# faster. Without run variables the bootstrap stops at once (exit 12), after loading its classes.
RUN java -XX:ArchiveClassesAtExit=/opt/gantry/gantry.jsa -jar /opt/gantry/gantry.jar \
      execute flow-run >/dev/null 2>&1; \
    test -s /opt/gantry/gantry.jsa && chmod 0644 /opt/gantry/gantry.jar /opt/gantry/gantry.jsa

USER 10001:10001
WORKDIR /home/gantry
ENV GANTRY_HOME=/home/gantry/.gantry
ENTRYPOINT ["gantry"]
CMD ["--help"]
