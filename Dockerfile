# Production image: build the jar with Maven, run it on a slim JRE with what whisper-jni and ffmpeg need.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
COPY migrations migrations
COPY ui ui
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
# libgomp1: whisper.cpp's OpenMP runtime; ffmpeg: webm/ogg/mp3/m4a/flac decoding.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 ffmpeg curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/cutover.jar /app/cutover.jar
COPY migrations /app/migrations
COPY models/download-model.sh models/README.md /app/models/
ENV PORT=8080 DATA_DIR=/app/data WHISPER_MODEL=/app/models/ggml-base.en.bin
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/cutover.jar"]
