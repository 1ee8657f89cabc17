FROM gradle:8.10-jdk21-jammy AS build

WORKDIR /workspace
COPY settings.gradle.kts build.gradle.kts ./
COPY src ./src
RUN gradle jar --no-daemon --console=plain

FROM eclipse-temurin:21-jre-jammy AS runtime
WORKDIR /workspace
COPY --from=build /workspace/build/libs/migrate.jar /workspace/build/libs/migrate.jar

# `docker run image down 3` replaces only the default arguments
ENTRYPOINT ["java", "-jar", "/workspace/build/libs/migrate.jar"]
CMD ["up"]
