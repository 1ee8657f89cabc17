FROM mcr.microsoft.com/dotnet/sdk:8.0 AS dependencies

WORKDIR /source

# copy csproj and restore as distinct layers
COPY *.csproj .
RUN dotnet restore

FROM dependencies AS build

# copy everything else and build the app
COPY . .
RUN dotnet publish -c Release -o /app --no-restore

WORKDIR /app

FROM mcr.microsoft.com/dotnet/runtime:8.0 AS runtime
WORKDIR /app
COPY --from=build /app /app
ENTRYPOINT ["dotnet", "QueueWorker.dll"]
