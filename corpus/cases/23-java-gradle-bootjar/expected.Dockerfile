FROM gradle:8.10-jdk21 AS build

COPY --chown=gradle:gradle . /home/gradle/project
WORKDIR /home/gradle/project

# only the executable jar, no tests, no plain jar
RUN gradle bootJar --no-daemon

FROM eclipse-temurin:21-jre AS runtime
WORKDIR /home/gradle/project
COPY --from=build /home/gradle/project/build/libs/payments-0.0.1-SNAPSHOT.jar /home/gradle/project/build/libs/payments-0.0.1-SNAPSHOT.jar

EXPOSE 8080
ENTRYPOINT ["java", "-jar", "build/libs/payments-0.0.1-SNAPSHOT.jar"]
