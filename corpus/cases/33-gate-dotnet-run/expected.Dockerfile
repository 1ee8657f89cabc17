FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build

WORKDIR /app
COPY . .
RUN dotnet restore

ENV ASPNETCORE_ENVIRONMENT=Development
RUN dotnet publish -c Release -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS runtime
ENV ASPNETCORE_ENVIRONMENT=Development
WORKDIR /app
COPY --from=build /app/publish /app/publish
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/publish/Api.dll"]
