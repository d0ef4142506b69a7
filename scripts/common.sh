# Shared by ./run and ./test: install what they need, start and stop Azurite.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AZURITE_DIR="$REPO_ROOT/tools/azurite"
AZURITE_JS="$AZURITE_DIR/node_modules/azurite/dist/src/azurite.js"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_tools() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is required"
  command -v node >/dev/null || die "Node.js (node) is required"
  command -v npm >/dev/null || die "npm is required"
}

# npm_install DIR: `npm ci` in DIR (node_modules git-ignored, never global), skipped while the lock is unchanged.
npm_install() {
  local dir="$1" stamp="$1/node_modules/.molecule-lock"
  if [[ -f "$stamp" ]] && cmp -s "$dir/package-lock.json" "$stamp"; then
    return
  fi
  log "installing npm packages (npm ci in ${dir#"$REPO_ROOT"/})"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in $dir failed"
  cp "$dir/package-lock.json" "$stamp"
}

# Pinned Azurite (tools/azurite) and the canvas's SignalR browser client (tools/canvas), from npm.
install_azurite() { npm_install "$AZURITE_DIR"; [[ -f "$AZURITE_JS" ]] || die "Azurite is missing after npm ci"; }
install_canvas_packages() { npm_install "$REPO_ROOT/tools/canvas"; }

# Debian's Chromium for the canvas browser tests (Playwright drives it; no browser download).
install_chromium() {
  if [[ -n "${MOLECULE_CHROMIUM:-}" && -x "$MOLECULE_CHROMIUM" ]] || command -v chromium >/dev/null; then
    return
  fi
  log "installing Chromium (apt-get install chromium)"
  local sudo=""
  ((EUID == 0)) || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null \
    || die "could not install Chromium (apt-get install chromium); set MOLECULE_CHROMIUM to a Chromium binary instead"
}

wait_for_port() { # host port seconds
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_azurite DATA_DIR BLOB QUEUE TABLE LOGFILE → sets AZURITE_PID and AZURITE_CONNECTION
start_azurite() {
  local data="$1" blob="$2" queue="$3" table="$4" logfile="$5"
  for p in "$blob" "$queue" "$table"; do
    port_in_use "$p" && die "port $p is already in use (another Azurite?); set MOLECULE_AZURITE_PORTS=\"blob queue table\" to use others"
  done
  mkdir -p "$data"
  node "$AZURITE_JS" --silent --skipApiVersionCheck --disableProductStyleUrl --location "$data" \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$logfile" 2>&1 &
  AZURITE_PID=$!
  for p in "$blob" "$queue" "$table"; do
    wait_for_port 127.0.0.1 "$p" 30 || { cat "$logfile" >&2; die "Azurite did not start"; }
  done
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  AZURITE_CONNECTION="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
}

stop_pid() { # pid
  [[ -n "${1:-}" ]] || return 0
  if kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
  fi
}
