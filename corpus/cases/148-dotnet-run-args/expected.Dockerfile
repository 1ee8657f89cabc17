FROM mcr.microsoft.com/dotnet/sdk:8.0 AS dependencies
WORKDIR /app
COPY src/Ledger/Ledger.csproj src/Ledger/
RUN dotnet restore src/Ledger/Ledger.csproj

FROM dependencies AS build
COPY . .
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1
RUN dotnet publish src/Ledger/Ledger.csproj -c Release -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish /app/publish
ENTRYPOINT ["dotnet", "/app/publish/Ledger.dll", "--urls", "http://0.0.0.0:8080", "--seed", "demo"]
