FROM maven:3.9-eclipse-temurin-17 AS build

WORKDIR /usr/src/app

COPY pom.xml .
COPY src ./src

# runs the unit tests, then repackages target/app.jar as an executable jar
RUN mvn -B package

FROM eclipse-temurin:17-jre AS runtime
WORKDIR /usr/src/app
COPY --from=build /usr/src/app/target/app.jar /usr/src/app/target/app.jar

EXPOSE 8080
CMD ["java", "-jar", "target/app.jar"]
