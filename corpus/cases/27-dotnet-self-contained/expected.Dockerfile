FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build

WORKDIR /src
COPY . .

# one self-contained executable, no shared framework needed at run time
RUN dotnet publish src/Relay/Relay.csproj -c Release \
        -r linux-x64 --self-contained true \
        -p:PublishSingleFile=true \
        -o /out

ENV ASPNETCORE_HTTP_PORTS=5050

FROM mcr.microsoft.com/dotnet/runtime-deps:8.0 AS runtime
ENV ASPNETCORE_HTTP_PORTS=5050
WORKDIR /src
COPY --from=build /out /out
EXPOSE 5050
ENTRYPOINT ["/out/Relay"]
