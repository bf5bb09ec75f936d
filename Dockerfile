# Ticket Home: a static Go binary (migrations, templates and assets embedded) on a minimal,
# non-root image. Generated code and CSS are committed, so no Node.js is needed here.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/ticket-home ./cmd/ticket-home

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ticket-home /ticket-home
ARG VERSION=dev
ENV APP_ENV=production \
    APP_VERSION=${VERSION} \
    LISTEN_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/ticket-home", "healthcheck"]
ENTRYPOINT ["/ticket-home"]
CMD ["serve"]
