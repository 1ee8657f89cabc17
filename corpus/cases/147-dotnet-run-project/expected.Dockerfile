FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
WORKDIR /src
COPY . .
RUN dotnet restore Api/Api.csproj
RUN dotnet publish Api/Api.csproj -c Release -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS runtime
WORKDIR /src
COPY --from=build /app/publish /app/publish
EXPOSE 8080
# dotnet run builds the project at every start
CMD ["dotnet", "/app/publish/Notes.Api.dll"]
