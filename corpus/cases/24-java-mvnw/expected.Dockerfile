FROM eclipse-temurin:17-jdk-jammy AS dependencies

WORKDIR /app

COPY .mvn/ .mvn
COPY mvnw pom.xml ./
# the repo is checked out on Windows too: strip CR from the wrapper
RUN sed -i 's/\r$//' mvnw && chmod +x mvnw
RUN ./mvnw dependency:resolve

FROM dependencies AS build

COPY src ./src
RUN ./mvnw package -DskipTests

FROM eclipse-temurin:17-jre-jammy AS runtime
WORKDIR /app
COPY --from=build /app/target/catalog-1.0.0.jar /app/target/catalog-1.0.0.jar

EXPOSE 8080
CMD ["java", "-jar", "target/catalog-1.0.0.jar"]
