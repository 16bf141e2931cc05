FROM \
    docker.io/library/python:3.12-slim \
    AS base
FROM base AS test
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS sdk
