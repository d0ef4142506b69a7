// The Molecule canvas: sign-in, the organisation tree with live status, and admin actions on one workspace.
import { api, describeError, session } from "./api.js";
import { $, h, clear, statusLabel, ago, percent, time, copyText } from "./dom.js";
import { cardSummary } from "./cards.js";
import { createRealtime } from "./realtime.js";
import { createDetail } from "./detail.js";

const LIVE_REFRESH_MS = 60_000; // heartbeats emit no event (§4): refresh heartbeat times now and then

const model = new Map();          // id → workspace object
const nodes = new Map();          // id → tree <li>
let structureKey = "";
let selectedId = null;
let showRemoved = false;
let realtime = null;
let refreshing = null;
let refreshAgain = false;
let liveTimer = null;
let refreshSoonTimer = null;
let eventsDuringRead = null;      // events that arrive while a list read is in flight: re-applied on its answer
let generation = 0;               // bumped on sign-in/out: answers to older requests are dropped

const detail = createDetail({
  model,
  selected: () => selectedId,
  select,
  refresh: () => refresh(),
  upsert: (w) => { model.set(w.id, w); render(); },
  descendants,
});

// ---------- sign-in ----------

async function signIn(token) {
  const error = $("sign-in-error");
  error.textContent = "";
  const result = await api.listWorkspaces(showRemoved, token);
  if (result.status === 200 && Array.isArray(result.body)) {
    session.set(token);
    $("admin-token").value = "";
    enterApp(result.body);
    return true;
  }
  session.clear();
  if (result.status === 401) error.textContent = "Wrong admin token: the platform did not accept it. Check the token and try again.";
  else if (result.status === 503 && result.body && result.body.code === "admin_not_configured")
    error.textContent = "This platform has no admin token configured (admin_not_configured). Set Molecule__AdminToken on the server, then sign in.";
  else error.textContent = "Sign-in failed: " + describeError(result);
  showSignIn();
  return false;
}

function showSignIn() {
  $("signin-view").hidden = false;
  $("app-view").hidden = true;
  $("app-tools").hidden = true;
  $("admin-token").focus();
}

function enterApp(workspaces) {
  $("signin-view").hidden = true;
  $("app-view").hidden = false;
  $("app-tools").hidden = false;
  replaceModel(workspaces);
  if (realtime) realtime.stop();
  generation++;
  refreshing = null;
  realtime = createRealtime({
    token: () => session.token,
    onEvent: applyEvent,
    onConnected: () => refresh(),
    onState: showConnection,
    poll: () => refresh(),
  });
  clearInterval(liveTimer);
  liveTimer = setInterval(() => { if (realtime && realtime.state === "live") refresh(); }, LIVE_REFRESH_MS);
}

function signOut() {
  session.clear();
  generation++;
  refreshing = null;
  clearTimeout(refreshSoonTimer);
  if (realtime) realtime.stop();
  realtime = null;
  clearInterval(liveTimer);
  model.clear();
  selectedId = null;
  detail.show(null);
  render();
  $("sign-in-error").textContent = "";
  showSignIn();
}

// ---------- connection indicator ----------

const CONNECTION_LABELS = {
  live: "Live",
  connecting: "Connecting…",
  polling: "Realtime down — refreshing every 10 s",
};

function showConnection(state) {
  const el = $("connection");
  el.dataset.state = state;
  el.querySelector(".connection-label").textContent = CONNECTION_LABELS[state] || state;
  el.title = state === "polling" ? "The realtime connection is down; the canvas re-reads the workspace list every 10 seconds and keeps retrying." : "";
}

// ---------- model ----------

async function refresh() {
  if (!session.token) return;
  if (refreshing) { refreshAgain = true; return refreshing; }
  const mine = generation;
  refreshing = (async () => {
    do {
      refreshAgain = false;
      eventsDuringRead = [];
      const result = await api.listWorkspaces(showRemoved);
      const newer = eventsDuringRead;
      eventsDuringRead = null;
      if (mine !== generation || !session.token) return;
      if (result.status === 401) { signOut(); $("sign-in-error").textContent = "The admin token is no longer accepted. Sign in again."; return; }
      if (result.status === 200 && Array.isArray(result.body)) {
        // the answer may predate events already applied: apply them again on top of it
        replaceModel(result.body, false);
        for (const e of newer) applyWorkspaceEvent(e, false);
        render();
      }
    } while (refreshAgain);
  })();
  try { await refreshing; } finally { refreshing = null; }
}

function refreshSoon() {
  clearTimeout(refreshSoonTimer);
  refreshSoonTimer = setTimeout(refresh, 250);
}

function replaceModel(list, draw = true) {
  model.clear();
  for (const w of list) if (w && w.id) model.set(w.id, w);
  if (draw) render();
}

function applyEvent(e) {
  if (!session.token) return;
  const id = e.workspace_id;
  const p = e.payload || {};
  if (e.event === "AGENT_MESSAGE") { detail.agentMessage(id, p); return; }
  if (e.event === "ACTIVITY_LOGGED") { detail.activityLogged(id); return; }
  if (e.event === "SECRETS_CHANGED") { detail.secretsChanged(id); return; }
  if (eventsDuringRead) eventsDuringRead.push(e);
  applyWorkspaceEvent(e, true);
}

function applyWorkspaceEvent(e, draw) {
  const id = e.workspace_id;
  const p = e.payload || {};
  if (!id) return;
  let w = model.get(id);
  if (!w) {
    if (e.event === "WORKSPACE_AWAITING_AGENT") {
      w = {
        id, name: p.name || "", role: p.role || "", tier: p.tier || 1, runtime: p.runtime || "", parent_id: p.parent_id || null,
        claimed: !!p.claimed, status: "awaiting_agent", agent_card: null, active_tasks: 0, current_task: "",
        last_error_rate: 0, last_heartbeat_at: null, created_at: e.timestamp,
      };
      model.set(id, w);
      if (draw) render();
    }
    if (draw && (e.event !== "WORKSPACE_REMOVED" || showRemoved)) refreshSoon(); // complete what an event cannot tell
    return;
  }
  switch (e.event) {
    case "WORKSPACE_AWAITING_AGENT": w.status = "awaiting_agent"; break;
    case "WORKSPACE_ONLINE":
      w.status = "online";
      if (p.url) w.url = p.url;
      if (p.agent_card) w.agent_card = p.agent_card;
      w.last_heartbeat_at = e.timestamp;
      w.claimed = true;
      break;
    case "WORKSPACE_DEGRADED":
      w.status = "degraded";
      if (p.error_rate !== undefined) w.last_error_rate = p.error_rate;
      if (p.sample_error !== undefined) w.last_sample_error = p.sample_error;
      w.last_heartbeat_at = e.timestamp;
      break;
    case "WORKSPACE_OFFLINE":
      w.status = "offline";
      if (p.last_heartbeat_at) w.last_heartbeat_at = p.last_heartbeat_at;
      break;
    case "WORKSPACE_PAUSED": w.status = "paused"; break;
    case "WORKSPACE_REMOVED":
      w.status = "removed";
      w.removed_at = p.removed_at || e.timestamp;
      if (!showRemoved) model.delete(id);
      if (draw) render();
      return;
    case "WORKSPACE_UPDATED":
      Object.assign(w, p.changed || {});
      if (draw) render();
      return;
    case "AGENT_CARD_UPDATED": w.agent_card = p.agent_card ?? null; break;
    case "TASK_UPDATED":
      w.current_task = p.current_task ?? "";
      w.active_tasks = p.active_tasks ?? 0;
      w.last_heartbeat_at = e.timestamp;
      break;
    default: return;
  }
  if (draw) renderOne(id); // the tree's shape is unchanged: touch only this node
}

function renderOne(id) {
  const w = model.get(id), li = nodes.get(id);
  if (!w || !li) { render(); return; }
  updateNode(li, w);
  if (id === selectedId) detail.update();
}

function childrenOf(id) {
  return [...model.values()].filter((w) => (w.parent_id || null) === id);
}

/** parent id (or null for roots, including workspaces whose parent is not in view) → children, in API order */
function childrenMap() {
  const map = new Map();
  for (const w of model.values()) {
    const parent = w.parent_id && model.has(w.parent_id) ? w.parent_id : null;
    if (!map.has(parent)) map.set(parent, []);
    map.get(parent).push(w);
  }
  return map;
}

function descendants(id) {
  const out = [];
  const walk = (pid, depth) => {
    for (const c of childrenOf(pid)) {
      if (c.status !== "removed") out.push({ workspace: c, depth });
      walk(c.id, depth + 1);
    }
  };
  walk(id, 1);
  return out;
}

// ---------- tree ----------

function render() {
  // roots: no parent, or a parent not in view (e.g. removed and hidden)
  const key = JSON.stringify([...model.values()].map((w) => [w.id, model.has(w.parent_id) ? w.parent_id : null]));
  for (const id of [...nodes.keys()]) if (!model.has(id)) { nodes.get(id).remove(); nodes.delete(id); }
  for (const w of model.values()) updateNode(nodeFor(w), w);
  if (key !== structureKey) {
    structureKey = key;
    const tree = $("tree");
    const children = childrenMap();
    const focused = document.activeElement;
    // move only the nodes that are out of place: moving an element blurs it, and a live arrival must not take a
    // keyboard user's focus (or a pointer's target) away from the node they are on
    const place = (list, ul) => {
      for (const [i, w] of list.entries()) {
        const li = nodes.get(w.id);
        if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] || null);
        const kids = children.get(w.id) || [];
        const group = li.querySelector(":scope > ul");
        if (kids.length) {
          li.setAttribute("aria-expanded", "true");
          place(kids, group);
        } else li.removeAttribute("aria-expanded");
        group.hidden = kids.length === 0;
      }
    };
    place(children.get(null) || [], tree);
    // a node that had to move (a new parent) keeps the focus it had
    if (focused && focused !== document.activeElement && focused.isConnected && tree.contains(focused)) focused.focus({ preventScroll: true });
  }
  $("tree-empty").hidden = model.size > 0;
  const visible = [...model.values()].filter((w) => w.status !== "removed").length;
  $("workspace-count").textContent = `${visible} workspace${visible === 1 ? "" : "s"}`;
  if (selectedId && !model.has(selectedId)) select(null);
  detail.update();
}

function nodeFor(w) {
  let li = nodes.get(w.id);
  if (li) return li;
  li = h("li", { class: "node", role: "treeitem", tabindex: "0", dataset: { workspaceId: w.id }, "aria-selected": "false" },
    h("div", { class: "node-body" },
      h("div", { class: "node-line" },
        h("span", { class: "status-dot", "aria-hidden": "true" }),
        h("span", { class: "node-name" }),
        h("span", { class: "remote-badge", text: "REMOTE", title: "Remote agent (runtime external)" }),
        h("span", { class: "status-label" })),
      h("div", { class: "node-role muted" }),
      h("div", { class: "node-task" },
        h("span", { class: "muted", text: "Task: " }), h("span", { class: "current-task" })),
      h("div", { class: "node-metrics" },
        h("span", { class: "metric" }, h("span", { class: "muted", text: "Active " }), h("span", { class: "active-tasks" })),
        h("span", { class: "metric" }, h("span", { class: "muted", text: "Heartbeat " }), h("span", { class: "last-heartbeat" })),
        h("span", { class: "metric" }, h("span", { class: "muted", text: "Errors " }), h("span", { class: "error-rate" }))),
      h("div", { class: "node-card-slot" })),
    h("ul", { role: "group", hidden: true }));
  nodes.set(w.id, li);
  return li;
}

function updateNode(li, w) {
  const q = (sel) => li.querySelector(":scope > .node-body " + sel);
  li.dataset.status = w.status || "";
  li.classList.toggle("selected", w.id === selectedId);
  li.setAttribute("aria-selected", String(w.id === selectedId));
  li.setAttribute("aria-label", `${w.name || w.id}, ${statusLabel(w.status)}${w.runtime === "external" ? ", remote" : ""}`);
  q(".node-name").textContent = w.name || "(unnamed)";
  q(".status-label").textContent = statusLabel(w.status);
  q(".remote-badge").hidden = w.runtime !== "external";
  const role = q(".node-role");
  role.textContent = w.role ? w.role : "";
  role.hidden = !w.role;
  q(".current-task").textContent = w.current_task ? w.current_task : "idle";
  q(".active-tasks").textContent = String(w.active_tasks ?? 0);
  const hb = q(".last-heartbeat");
  hb.dataset.timestamp = w.last_heartbeat_at || "";
  hb.textContent = ago(w.last_heartbeat_at);
  q(".error-rate").textContent = percent(w.last_error_rate);
  const slot = q(".node-card-slot");
  const cardKey = JSON.stringify(w.agent_card ?? null);
  if (slot.dataset.card !== cardKey) {
    slot.dataset.card = cardKey;
    clear(slot);
    const summary = cardSummary(w.agent_card);
    if (summary) slot.append(summary);
  }
}

function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll(".last-heartbeat")) el.textContent = ago(el.dataset.timestamp, now);
  detail.tick(now);
}

function select(id) {
  selectedId = id && model.has(id) ? id : null;
  for (const [nid, li] of nodes) {
    li.classList.toggle("selected", nid === selectedId);
    li.setAttribute("aria-selected", String(nid === selectedId));
  }
  detail.show(selectedId);
}

/** A selection by the operator: on a narrow (one-column) layout, bring the details into view. */
function chooseFromTree(id) {
  select(id);
  const panel = $("detail");
  if (panel.getBoundingClientRect().top > window.innerHeight) panel.scrollIntoView({ block: "start" });
}

function visibleItems() {
  return [...$("tree").querySelectorAll("li.node")].filter((li) => li.offsetParent !== null);
}

function onTreeKey(event) {
  const li = event.target.closest("li.node");
  if (!li || event.target !== li) return;
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    chooseFromTree(li.dataset.workspaceId);
    return;
  }
  const items = visibleItems();
  const i = items.indexOf(li);
  let next = null;
  if (event.key === "ArrowDown") next = items[i + 1];
  else if (event.key === "ArrowUp") next = items[i - 1];
  else if (event.key === "Home") next = items[0];
  else if (event.key === "End") next = items[items.length - 1];
  if (next) { event.preventDefault(); next.focus(); }
}

// ---------- create ----------

function openCreate() {
  const parent = $("create-parent");
  clear(parent);
  parent.append(h("option", { value: "", text: "(none — top level)" }));
  const byDepth = (pid, depth) => {
    for (const w of childrenOf(pid)) {
      if (w.status === "removed") continue;
      parent.append(h("option", { value: w.id, text: `${"  ".repeat(depth)}${w.name || w.id}` }));
      byDepth(w.id, depth + 1);
    }
  };
  byDepth(null, 0);
  if (selectedId && model.get(selectedId)?.status !== "removed") parent.value = selectedId;
  $("create-error").textContent = "";
  $("create-dialog").showModal();
  $("create-name").focus();
}

async function submitCreate(event) {
  event.preventDefault();
  const error = $("create-error");
  error.textContent = "";
  const name = $("create-name").value.trim();
  if (!name) { error.textContent = "A name is required."; $("create-name").focus(); return; }
  const body = { name };
  const role = $("create-role").value.trim();
  if (role) body.role = role;
  const parent = $("create-parent").value;
  if (parent) body.parent_id = parent;
  const runtime = $("create-runtime").value.trim();
  if (runtime) body.runtime = runtime;
  const url = $("create-url").value.trim();
  if (url) body.url = url;
  if ($("create-issue-token").checked) body.issue_token = true;
  const submit = $("create-submit");
  submit.disabled = true;
  const result = await api.createWorkspace(body);
  submit.disabled = false;
  if (result.status !== 201) { error.textContent = "Could not create the workspace: " + describeError(result); return; }
  const created = result.body;
  const connect = created.connect || {};
  delete created.connect;
  model.set(created.id, created);
  render();
  $("create-dialog").close();
  $("create-form").reset();
  $("create-runtime").value = "external";
  showCreated(created, connect);
  select(created.id);
}

function showCreated(created, connect) {
  $("created-id").textContent = created.id;
  const tokenBlock = $("created-token-block");
  $("created-token").textContent = connect.auth_token || "";
  tokenBlock.hidden = !connect.auth_token;
  const snippets = $("created-snippet");
  clear(snippets);
  const add = (label, text, id) => {
    if (!text) return;
    snippets.append(h("div", { class: "snippet" },
      h("div", { class: "snippet-head" }, h("span", { id: id + "-label", text: label }),
        h("button", { type: "button", class: "small copy", dataset: { copyFrom: id }, "aria-label": "Copy " + label, text: "Copy" })),
      h("pre", { id, "aria-labelledby": id + "-label", tabindex: "0", text })));
  };
  add("Python (molecule_agent SDK)", connect.python_snippet, "created-python");
  add("curl", connect.curl_snippet, "created-curl");
  if (connect.claim_expires_at) snippets.append(h("p", { class: "muted", text: `Claim window open until ${time(connect.claim_expires_at)}.` }));
  $("created").showModal();
  $("created-close").focus();
}

function closeCreated() {
  // the token and snippets are shown once: drop them from the DOM when the dialog closes
  $("created-token").textContent = "";
  clear($("created-snippet"));
  $("created-id").textContent = "";
}

// ---------- wiring ----------

function wire() {
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("admin-token").value.trim();
    if (!token) { $("sign-in-error").textContent = "Enter the admin token."; return; }
    $("sign-in").disabled = true;
    try { await signIn(token); } finally { $("sign-in").disabled = false; }
  });
  $("sign-out").addEventListener("click", signOut);
  $("show-removed").addEventListener("change", (event) => { showRemoved = event.target.checked; refresh(); });
  $("new-workspace").addEventListener("click", openCreate);
  $("create-form").addEventListener("submit", submitCreate);
  $("create-cancel").addEventListener("click", () => $("create-dialog").close());
  $("created-close").addEventListener("click", () => $("created").close());
  $("created").addEventListener("close", closeCreated);
  $("tree").addEventListener("click", (event) => {
    const li = event.target.closest("li.node");
    if (li) chooseFromTree(li.dataset.workspaceId);
  });
  $("tree").addEventListener("keydown", onTreeKey);
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy[data-copy-from]");
    if (button) copyText($(button.dataset.copyFrom)?.textContent || "", button);
  });
  setInterval(tick, 1000);
}

wire();
detail.wire();
if (session.token) signIn(session.token);
else showSignIn();

