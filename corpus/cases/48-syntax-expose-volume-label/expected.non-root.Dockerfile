FROM mcr.microsoft.com/dotnet/sdk:8.0 AS dependencies

WORKDIR /app
COPY Uploads.Api.csproj .
RUN dotnet restore

FROM dependencies AS build
COPY . .
RUN dotnet publish -c Release -o out --no-restore

RUN mkdir -p /app/data
VOLUME ["/app/data"]
RUN mkdir -p /tmp/dfsplit-owned/1/app /tmp/dfsplit-owned/2/data && chown 1654:1654 /tmp/dfsplit-owned/1/app /tmp/dfsplit-owned/2/data

FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS runtime
WORKDIR /app
COPY --from=build --chown=1654:1654 /app/out /app/out
COPY --from=build /tmp/dfsplit-owned/1/ /
COPY --from=build /tmp/dfsplit-owned/2/ /app/

LABEL org.opencontainers.image.title="uploads-api" \
      org.opencontainers.image.source="https://git.acme.invalid/platform/uploads" \
      org.opencontainers.image.licenses="MIT"
VOLUME ["/app/data"]
EXPOSE 8080/tcp
STOPSIGNAL SIGTERM
USER app

ENTRYPOINT ["dotnet", "out/Uploads.Api.dll"]
