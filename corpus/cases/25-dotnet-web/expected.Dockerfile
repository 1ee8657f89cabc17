FROM mcr.microsoft.com/dotnet/sdk:8.0 AS dependencies

WORKDIR /src

# restore as a separate layer
COPY Storefront.sln .
COPY Storefront.Api/Storefront.Api.csproj Storefront.Api/
RUN dotnet restore Storefront.Api/Storefront.Api.csproj

FROM dependencies AS build

COPY . .
RUN dotnet publish Storefront.Api/Storefront.Api.csproj \
    -c Release \
    -o /app/publish \
    /p:UseAppHost=false

WORKDIR /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS runtime
WORKDIR /app/publish
COPY --from=build /app/publish /app/publish
EXPOSE 8080
ENTRYPOINT ["dotnet", "Storefront.Api.dll"]
