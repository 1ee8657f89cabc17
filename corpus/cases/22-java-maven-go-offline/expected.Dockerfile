FROM maven:3.9.9-eclipse-temurin-21 AS dependencies

WORKDIR /build

# resolve every plugin and dependency in its own layer
COPY pom.xml .
RUN mvn -B -q dependency:go-offline

FROM dependencies AS build

COPY src/ src/
RUN mvn -B -o package -DskipTests \
 && cp target/shipping-1.0.0.jar /opt/service.jar

ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"

FROM eclipse-temurin:21-jre AS runtime
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
WORKDIR /build
COPY --from=build /opt/service.jar /opt/service.jar
ENTRYPOINT ["java", "-jar", "/opt/service.jar"]
