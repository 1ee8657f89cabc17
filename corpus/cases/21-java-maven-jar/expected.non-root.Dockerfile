FROM maven:3.9-eclipse-temurin-17 AS build

WORKDIR /usr/src/app

COPY pom.xml .
COPY src ./src

# runs the unit tests, then repackages target/app.jar as an executable jar
RUN mvn -B package
RUN mkdir -p /tmp/dfsplit-owned/1/app && chown 65532:65532 /tmp/dfsplit-owned/1/app

FROM eclipse-temurin:17-jre AS runtime
WORKDIR /usr/src/app
COPY --from=build --chown=65532:65532 /usr/src/app/target/app.jar /usr/src/app/target/app.jar
COPY --from=build /tmp/dfsplit-owned/1/ /usr/src/

EXPOSE 8080
USER 65532:65532
CMD ["java", "-jar", "target/app.jar"]
