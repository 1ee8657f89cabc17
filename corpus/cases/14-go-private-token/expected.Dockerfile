FROM golang:1.23 AS dependencies

# access to the private acme-corp modules
ARG GITHUB_TOKEN
ENV GOPRIVATE=github.com/acme-corp/*
RUN git config --global \
      url."https://${GITHUB_TOKEN}:x-oauth-basic@github.com/".insteadOf "https://github.com/"

WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download

FROM dependencies AS build

COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /billing ./cmd/billing

FROM gcr.io/distroless/static-debian13:nonroot AS runtime
WORKDIR /src
COPY --from=build /billing /billing

USER 65532:65532
ENTRYPOINT ["/billing"]
