FROM mcr.microsoft.com/dotnet/core/sdk:3.1 AS dependencies
WORKDIR /src
COPY Ledger.Web/Ledger.Web.csproj Ledger.Web/
RUN dotnet restore Ledger.Web/Ledger.Web.csproj

FROM dependencies AS build
COPY . .
RUN dotnet publish Ledger.Web/Ledger.Web.csproj -c Release -o /app
WORKDIR /app

FROM mcr.microsoft.com/dotnet/core/aspnet:3.1 AS runtime
WORKDIR /app
COPY --from=build /app /app
EXPOSE 80
ENTRYPOINT ["dotnet", "Ledger.Web.dll"]
