# Atom.Bot service image: docker build -t atom-bot .
# Runs `atom serve` on port 8080 as a non-root user, with its state in the /data volume.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore from the files that decide the package graph only, so this layer stays cached until they change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Atom.Bot/Atom.Bot.csproj src/Atom.Bot/
RUN dotnet restore src/Atom.Bot/Atom.Bot.csproj

# The same analyzer settings as every other build of the repository (warnings are errors).
COPY .editorconfig ./
COPY src/ src/
RUN dotnet publish src/Atom.Bot/Atom.Bot.csproj -c Release --no-restore -o /app -p:UseAppHost=false


FROM mcr.microsoft.com/dotnet/aspnet:10.0

# git for repository work; curl for the health check; openssh-client (ssh-keygen) for SSH-signed commits
# (ATOM_GIT_SIGNING); bubblewrap for the test sandbox (ATOM_SANDBOX=bwrap,
# the default). The container runs as a non-root user, so bubblewrap needs unprivileged user namespaces:
# run the container with a seccomp profile that allows them (docker run --security-opt seccomp=unconfined,
# plus --security-opt apparmor=unconfined on Ubuntu hosts); see docs/operations.md. Without that, tests do
# not run and every package says "tests not run: no sandbox".
RUN apt-get update \
    && apt-get install -y --no-install-recommends git curl ca-certificates bubblewrap openssh-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app ./

# $APP_UID is the non-root "app" user the .NET images provide. A named volume mounted on /data, or on
# /data/keys (the audit keys, shared by several instances), starts with this ownership; a bind mount must be
# writable by that uid (1654).
RUN mkdir -p /data/keys && chown "$APP_UID" /data /data/keys
ENV ATOM_DATA_DIR=/data \
    ASPNETCORE_URLS=http://+:8080
VOLUME /data
EXPOSE 8080
USER $APP_UID

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://localhost:8080/healthz || exit 1

ENTRYPOINT ["dotnet", "atom.dll"]
CMD ["serve"]
