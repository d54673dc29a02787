# Shared set-up for scripts/run and scripts/test (sourced, not executed).
# Idempotent and quiet when nothing changed: virtualenv, Python requirements,
# bun (through npm, for Reflex's frontend), and the environment Reflex reads.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUN_VERSION="1.4.5"
LOCALSTRIPE_VERSION="1.15.10"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 or newer is required." >&2; return 1
}

setup_python() {
  if [ ! -x .venv/bin/python ]; then
    say "Creating virtualenv .venv"
    "$(pick_python)" -m venv .venv
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
  local want have
  want="$(sha256sum requirements.txt | cut -d' ' -f1)"
  have="$(cat .venv/.requirements.sha 2>/dev/null || true)"
  if [ "$want" != "$have" ]; then
    say "Installing Python requirements"
    python -m pip install --quiet --upgrade pip
    python -m pip install --quiet -r requirements.txt
    echo "$want" > .venv/.requirements.sha
  fi
}

setup_bun() {
  # Reflex builds its frontend with bun; npm can install it without internet
  # access to bun's own download site.
  if [ ! -x .tools/node_modules/.bin/bun ]; then
    command -v npm >/dev/null || { echo "Node.js and npm are required." >&2; return 1; }
    say "Installing bun $BUN_VERSION through npm"
    npm install --silent --no-audit --no-fund --prefix .tools "bun@$BUN_VERSION" >/dev/null
  fi
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
}

setup_localstripe() {
  # localstripe, the fake Stripe API the payment tests talk to, gets its own
  # virtualenv so its dependencies never meet the app's.
  local venv=.tools/localstripe
  if [ "$(cat "$venv/.version" 2>/dev/null || true)" != "$LOCALSTRIPE_VERSION" ]; then
    say "Installing localstripe $LOCALSTRIPE_VERSION into $venv"
    rm -rf "$venv"
    if [ -x .venv/bin/python ]; then .venv/bin/python -m venv "$venv"
    else "$(pick_python)" -m venv "$venv"; fi
    "$venv/bin/python" -m pip install --quiet "localstripe==$LOCALSTRIPE_VERSION"
    echo "$LOCALSTRIPE_VERSION" > "$venv/.version"
  fi
  export MARKETPLACE_LOCALSTRIPE_PYTHON="$ROOT/$venv/bin/python"
}

setup_env() {
  export REFLEX_USE_SYSTEM_BUN=1
  export REFLEX_TELEMETRY_ENABLED=false
  export REFLEX_CHECK_LATEST_VERSION=false
  # Use the registry npm is configured with instead of letting Reflex probe.
  NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-$(npm config get registry)}"
  export NPM_CONFIG_REGISTRY
  export PYTHONUNBUFFERED=1
}

setup_all() {
  setup_python
  setup_bun
  setup_env
}

demo_webhook_secret() {
  # The demo's webhook signing secret: made once per installation, kept beside
  # the data (.data/ is not in git) and readable by this user only. A secret
  # in the repository would let anyone sign a payment event to any demo.
  local file=.data/demo-webhook-secret
  if [ ! -s "$file" ]; then
    mkdir -p .data
    (umask 077 && python -c 'import secrets; print("whsec_" + secrets.token_hex(24))' \
      > "$file.new") && mv "$file.new" "$file"
  fi
  chmod 600 "$file"
  cat "$file"
}

demo_backend_address() {
  # Where localstripe reaches the app: the backend's own address, or loopback
  # when it listens on every interface.
  case "${MARKETPLACE_BACKEND_HOST:-127.0.0.1}" in
    0.0.0.0|::|'[::]') echo 127.0.0.1 ;;
    *:*) echo "[${MARKETPLACE_BACKEND_HOST}]" ;;  # an IPv6 address
    *) echo "${MARKETPLACE_BACKEND_HOST:-127.0.0.1}" ;;
  esac
}

start_demo_payments() {
  # The demo takes test card payments through localstripe (a fake Stripe on
  # loopback, its state kept in .tools/localstripe-demo.pickle) unless a real
  # Stripe key is configured. MARKETPLACE_DEMO_PAYMENTS=0 turns it off.
  if [ -n "${MARKETPLACE_STRIPE_SECRET_KEY:-}" ] || [ "${MARKETPLACE_DEMO_PAYMENTS:-1}" = 0 ]; then
    return 0
  fi
  setup_localstripe
  local port="${MARKETPLACE_DEMO_STRIPE_PORT:-8420}" url
  url="http://127.0.0.1:$port"
  if ! curl -s -o /dev/null --noproxy '*' "$url/_config/webhooks/probe"; then
    say "Starting localstripe (demo card payments) on $url"
    # Ctrl-C does not reach a background process of a script (it ignores
    # SIGINT): stop_demo_payments stops this one, and only this one.
    nohup "$MARKETPLACE_LOCALSTRIPE_PYTHON" scripts/localstripe_server.py --port "$port" \
      --state .tools/localstripe-demo.pickle > .tools/localstripe-demo.log 2>&1 &
    DEMO_STRIPE_PID=$!
    for _ in $(seq 50); do
      curl -s -o /dev/null --noproxy '*' "$url/_config/webhooks/probe" && break
      sleep 0.2
    done
  else
    say "Using the localstripe already running on $url (left running after)"
  fi
  # localstripe takes any sk_ key and listens on loopback only: this one
  # guards nothing, the webhook secret below does
  export MARKETPLACE_STRIPE_SECRET_KEY="sk_test_karma_demo"
  export MARKETPLACE_STRIPE_API_BASE="$url"
  # the wallet's card form loads localstripe's stand-in Stripe.js, which takes
  # any pk_ key
  export MARKETPLACE_STRIPE_PUBLISHABLE_KEY="pk_test_karma_demo"
  export MARKETPLACE_STRIPE_JS_URL="$url/js.stripe.com/v3/"
  MARKETPLACE_STRIPE_WEBHOOK_SECRET="$(demo_webhook_secret)"
  export MARKETPLACE_STRIPE_WEBHOOK_SECRET
  # localstripe signs and posts payment events to the app's webhook route
  local webhook
  webhook="http://$(demo_backend_address):${REFLEX_BACKEND_PORT:-8000}/api/stripe/webhook"
  curl -s -o /dev/null --noproxy '*' -X POST -H 'Content-Type: application/json' \
    -d "{\"url\": \"$webhook\", \"secret\": \"$MARKETPLACE_STRIPE_WEBHOOK_SECRET\"}" \
    "$url/_config/webhooks/karma-demo" || say "localstripe did not answer: paid terms will say why"
}

stop_demo_payments() {
  # Stop the localstripe start_demo_payments started, if it did: one that was
  # already running belongs to someone else (another app, the tests).
  if [ -n "${DEMO_STRIPE_PID:-}" ] && kill -0 "$DEMO_STRIPE_PID" 2>/dev/null; then
    say "Stopping localstripe (pid $DEMO_STRIPE_PID)"
    kill "$DEMO_STRIPE_PID" 2>/dev/null || true
    wait "$DEMO_STRIPE_PID" 2>/dev/null || true
  fi
  DEMO_STRIPE_PID=""
}
