FROM openjdk:17 AS dependencies

WORKDIR /app

COPY .mvn/ .mvn
COPY mvnw pom.xml ./
RUN ./mvnw dependency:go-offline

FROM dependencies AS build

COPY src ./src
RUN ./mvnw package -DskipTests

FROM eclipse-temurin:17-jre AS runtime
WORKDIR /app
COPY --from=build /app/target/catalog-1.0.0.jar /app/target/catalog-1.0.0.jar

EXPOSE 8080
CMD ["java", "-jar", "target/catalog-1.0.0.jar"]
