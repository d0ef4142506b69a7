// Canvas events over SignalR (contract §3.1, §4), with a 10 s polling fallback while the connection is down.
// States: "connecting" (first attempt), "live" (connected), "polling" (down: re-reading every 10 s, retrying).
const POLL_MS = 10_000;
const RESTART_DELAYS_MS = [2_000, 5_000, 10_000, 15_000];

// The client's own log lines can carry URLs with access tokens: keep warnings, redact tokens.
const redactingLogger = {
  log(level, message) {
    if (level < signalR.LogLevel.Warning) return;
    console.warn("[realtime]", String(message).replace(/access_token=[^&\s]+/gi, "access_token=…"));
  },
};

export function createRealtime({ token, onEvent, onConnected, onState, poll }) {
  let state = null;
  let stopped = false;
  let pollTimer = null;
  let restartTimer = null;
  let attempt = 0;

  const connection = new signalR.HubConnectionBuilder()
    .withUrl("/realtime", { accessTokenFactory: () => token() })
    .withAutomaticReconnect()
    .configureLogging(redactingLogger)
    .build();

  connection.on("event", (envelope) => {
    if (envelope && typeof envelope === "object") onEvent(envelope);
  });
  connection.onreconnecting(() => setState("polling"));
  connection.onreconnected(() => { setState("live"); onConnected(); });
  connection.onclose(() => {
    if (stopped) return;
    setState("polling");
    scheduleRestart();
  });

  function setState(next) {
    if (state === next) return;
    state = next;
    if (next === "polling") {
      if (!pollTimer) {
        poll();
        pollTimer = setInterval(poll, POLL_MS);
      }
    } else if (pollTimer) {
      clearInterval(pollTimer);
      pollTimer = null;
    }
    onState(next);
  }

  function scheduleRestart() {
    if (stopped || restartTimer) return;
    const delay = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)];
    attempt++;
    restartTimer = setTimeout(() => { restartTimer = null; tryStart(); }, delay);
  }

  async function tryStart() {
    if (stopped) return;
    if (connection.state !== signalR.HubConnectionState.Disconnected) return;
    try {
      await connection.start();
      if (stopped) { connection.stop(); return; }
      attempt = 0;
      setState("live");
      onConnected();
    } catch {
      if (stopped) return;
      setState("polling");
      scheduleRestart();
    }
  }

  setState("connecting");
  tryStart();

  return {
    get state() { return state; },
    stop() {
      stopped = true;
      clearTimeout(restartTimer);
      clearInterval(pollTimer);
      pollTimer = null;
      connection.stop();
    },
  };
}
