# Invoice numbering service: a plain jar built with javac; production runs on the platform team's JRE
FROM eclipse-temurin:21-jdk AS build

WORKDIR /opt/invoices
COPY src ./src
RUN javac -d classes $(find src -name '*.java') \
 && jar --create --file invoices.jar --main-class com.example.invoices.Server -C classes .

FROM registry.acme.example/platform/jre:21 AS runtime
WORKDIR /opt/invoices
COPY --from=build /opt/invoices/invoices.jar /opt/invoices/invoices.jar

EXPOSE 8080
CMD ["java", "-jar", "invoices.jar"]
