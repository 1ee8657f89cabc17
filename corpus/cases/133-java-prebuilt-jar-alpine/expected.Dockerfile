FROM eclipse-temurin:17-jdk-alpine AS build
ARG JAR_FILE=target/*.jar
WORKDIR /app
COPY ${JAR_FILE} app.jar

FROM eclipse-temurin:17-jre-alpine AS runtime
WORKDIR /app
COPY --from=build /app/app.jar /app/app.jar
EXPOSE 3000
ENTRYPOINT ["java","-jar","/app/app.jar"]
