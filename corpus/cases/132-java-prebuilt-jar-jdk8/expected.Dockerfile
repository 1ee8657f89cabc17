FROM openjdk:8-jdk AS build
ADD build/libs/inventory-0.1.0.jar inventory.jar

FROM eclipse-temurin:8-jre AS runtime
COPY --from=build /inventory.jar /inventory.jar
EXPOSE 8080
CMD ["java", "-jar", "inventory.jar"]
