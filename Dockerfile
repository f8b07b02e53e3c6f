# Production image for Cutover. Two stages: Maven builds the shaded jar; a slim JRE runs it as a non-root user with
# what whisper-jni (libgomp1) and compressed uploads (ffmpeg) need. Models are not baked in: mount them at
# /app/models (see docker-compose.yml and models/download-model.sh). .ci/run executes this file's build, run and
# health-check commands outside Docker (.ci/dockerfile-smoke.sh), since no Docker engine runs there.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first: a change to the sources alone reuses this layer.
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
COPY migrations migrations
COPY ui ui
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
# libgomp1: whisper.cpp's OpenMP runtime; ffmpeg: webm/ogg/mp3/m4a/flac uploads; curl: the health check and
# models/download-model.sh.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 ffmpeg curl jq ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 cutover \
 && useradd --system --uid 10001 --gid cutover --home-dir /app --shell /usr/sbin/nologin cutover \
 && mkdir -p /app/models /app/data \
 && chown cutover:cutover /app/data /app/models
WORKDIR /app
COPY --from=build /src/target/cutover.jar /app/cutover.jar
COPY migrations /app/migrations
COPY models/download-model.sh models/README.md /app/models/
COPY scripts/ /app/scripts/
# `docker compose exec app cutover status`: the operator command line on PATH.
RUN ln -s /app/scripts/cutover /usr/local/bin/cutover
ENV PORT=8080 \
    DATA_DIR=/app/data \
    WHISPER_MODEL=/app/models/ggml-base.en.bin \
    CUTOVER_JAR=/app/cutover.jar \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
USER cutover
VOLUME ["/app/models", "/app/data"]
EXPOSE 8080
# /health answers 503 only when the instance must leave the rotation (DOWN); DEGRADED still serves.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/cutover.jar"]
