FROM openjdk:8-jdk AS build
ADD build/libs/inventory-0.1.0.jar /opt/

FROM eclipse-temurin:8-jre AS runtime
COPY --from=build /opt/inventory-0.1.0.jar /opt/inventory-0.1.0.jar
EXPOSE 8080
CMD ["java", "-jar", "/opt/inventory-0.1.0.jar"]
