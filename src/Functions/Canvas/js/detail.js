// The selected workspace: facts, pause/resume/delete, agent card, chat, activity, secrets and tokens.
import { api, describeError } from "./api.js";
import { $, h, clear, statusLabel, ago, percent, time } from "./dom.js";
import { cardDetail } from "./cards.js";

const JSONRPC_CODES = {
  "-32700": "parse error", "-32600": "invalid request", "-32601": "method not found", "-32602": "invalid params",
  "-32603": "internal error", "-32001": "task not found", "-32002": "task not cancelable",
  "-32003": "push notifications not supported", "-32004": "unsupported operation", "-32005": "content type not supported",
  "-32006": "invalid agent response", "-32007": "extended agent card not configured", "-32008": "extension support required",
  "-32009": "version not supported",
};

export function describeRpcError(error) {
  const code = error && error.code !== undefined ? String(error.code) : "";
  const known = JSONRPC_CODES[code];
  const message = error && typeof error.message === "string" ? error.message : "";
  return `JSON-RPC error ${code}${known ? ` (${known})` : ""}${message ? `: ${message}` : ""}`;
}

/** The text of an A2A reply: a Message, a Task (status message, artifacts) or a plain string. */
export function replyText(result) {
  if (typeof result === "string") return result;
  if (!result || typeof result !== "object") return "";
  const fromParts = (parts) => (Array.isArray(parts) ? parts : [])
    .filter((p) => p && typeof p.text === "string" && (p.kind === "text" || p.type === "text" || (p.kind === undefined && p.type === undefined)))
    .map((p) => p.text);
  const texts = [
    ...fromParts(result.parts),
    ...fromParts(result.status && result.status.message && result.status.message.parts),
    ...(Array.isArray(result.artifacts) ? result.artifacts.flatMap((a) => fromParts(a && a.parts)) : []),
  ];
  if (result.message && typeof result.message === "object") texts.push(...fromParts(result.message.parts));
  return texts.join("\n");
}

const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

export function createDetail({ model, selected, select, refresh, upsert, descendants }) {
  const chats = new Map(); // workspace id → [{from, text, error}]
  let shownId = null;
  let activityTimer = null;

  const current = () => (shownId ? model.get(shownId) : null);

  function notice(id, text, isError = false) {
    const el = $(id);
    el.textContent = text || "";
    el.classList.toggle("error-text", !!isError);
  }

  function show(id) {
    const changed = id !== shownId;
    shownId = id;
    $("detail").dataset.workspaceId = id || "";
    $("detail-empty").hidden = !!id;
    $("detail-body").hidden = !id;
    if (changed) {
      notice("detail-notice", "");
      notice("chat-status", "");
      notice("secret-status", "");
      notice("token-status", "");
      $("secret-value").value = "";
      hideNewToken();
      renderChat();
      clear($("activity-list"));
      clear($("secret-list"));
      clear($("secret-globals"));
      clear($("token-list"));
      if (id) { loadActivity(); loadSecrets(); loadTokens(); }
    }
    update();
  }

  function fact(dl, label, value, cls) {
    dl.append(h("dt", { text: label }), h("dd", { class: cls, text: value }));
  }

  let cardKey = null;
  function update() {
    const w = current();
    if (!w) return;
    $("detail-title").textContent = w.name || "(unnamed)";
    const sub = $("detail-sub");
    clear(sub);
    sub.append(h("span", { class: "status-pill", dataset: { status: w.status }, text: statusLabel(w.status) }));
    if (w.runtime === "external") sub.append(h("span", { class: "remote-badge", text: "REMOTE" }));
    if (w.role) sub.append(h("span", { class: "detail-role", text: w.role }));
    const paused = w.status === "paused", removed = w.status === "removed";
    $("pause").disabled = paused || removed;
    $("resume").disabled = !paused;
    $("delete").disabled = removed;
    $("chat-send").disabled = removed || paused;
    $("secret-save").disabled = removed;
    $("token-mint").disabled = removed;
    const dl = $("detail-facts");
    clear(dl);
    fact(dl, "Id", w.id, "mono");
    fact(dl, "Runtime", w.runtime || "—");
    fact(dl, "Delivery", `${w.delivery_mode || "—"}${w.delivery_mode_pinned ? " (pinned)" : ""}`);
    fact(dl, "Agent URL", w.url || "—", "mono");
    const parent = w.parent_id ? model.get(w.parent_id) : null;
    fact(dl, "Parent", w.parent_id ? (parent ? parent.name : w.parent_id) : "— (top level)");
    fact(dl, "Claimed", w.claimed ? "yes" : w.claim_expires_at ? `no — claim window until ${time(w.claim_expires_at)}` : "no");
    fact(dl, "Current task", w.current_task || "idle");
    fact(dl, "Active tasks", String(w.active_tasks ?? 0));
    fact(dl, "Last heartbeat", ago(w.last_heartbeat_at), "detail-heartbeat");
    dl.lastChild.dataset.timestamp = w.last_heartbeat_at || "";
    fact(dl, "Error rate", percent(w.last_error_rate) + (w.last_sample_error ? ` — ${w.last_sample_error}` : ""));
    fact(dl, "Uptime", w.uptime_seconds ? `${w.uptime_seconds} s` : "—");
    fact(dl, "Created", time(w.created_at));
    if (w.removed_at) fact(dl, "Removed", time(w.removed_at));
    const key = w.id + JSON.stringify(w.agent_card ?? null);
    if (key !== cardKey) {
      cardKey = key;
      const slot = $("detail-card");
      clear(slot);
      slot.append(cardDetail(w.agent_card));
    }
  }

  function tick(now) {
    const el = document.querySelector("#detail-facts .detail-heartbeat");
    if (el) el.textContent = ago(el.dataset.timestamp, now);
  }

  // ---- pause / resume / delete ----

  async function pause() {
    const w = current(); if (!w) return;
    const r = await api.pause(w.id);
    if (r.status !== 200) { notice("detail-notice", "Pause failed: " + describeError(r), true); return; }
    notice("detail-notice", `Paused ${r.body.paused_count} workspace${r.body.paused_count === 1 ? "" : "s"}.`);
    refresh();
  }

  async function resume() {
    const w = current(); if (!w) return;
    const r = await api.resume(w.id);
    if (r.status !== 200) { notice("detail-notice", "Resume failed: " + describeError(r), true); return; }
    notice("detail-notice", "Resumed: waiting for the agent to heartbeat again.");
    refresh();
  }

  function openDelete() {
    const w = current(); if (!w) return;
    const kids = descendants(w.id);
    $("delete-text").textContent = kids.length
      ? `“${w.name}” and these ${kids.length} workspace${kids.length === 1 ? "" : "s"} under it will be removed, their tokens revoked and their secrets deleted:`
      : `“${w.name}” will be removed, its tokens revoked and its secrets deleted. This cannot be undone.`;
    const list = $("delete-children");
    clear(list);
    for (const { workspace, depth } of kids)
      list.append(h("li", { dataset: { childId: workspace.id }, style: `padding-left:${(depth - 1) * 1.2}em`, text: workspace.name || workspace.id }));
    list.hidden = kids.length === 0;
    $("delete-error").textContent = "";
    $("delete-dialog").dataset.workspaceId = w.id;
    $("delete-dialog").showModal();
    $("delete-cancel").focus();
  }

  async function confirmDelete() {
    const id = $("delete-dialog").dataset.workspaceId;
    if (!id) return;
    $("delete-confirm").disabled = true;
    const r = await api.remove(id);
    $("delete-confirm").disabled = false;
    if (r.status !== 200) { $("delete-error").textContent = "Delete failed: " + describeError(r); return; }
    $("delete-dialog").close();
    const w = model.get(id);
    if (w) { w.status = "removed"; upsert(w); }
    refresh();
  }

  // ---- chat ----

  function renderChat() {
    const log = $("chat-log");
    clear(log);
    for (const m of chats.get(shownId) || []) log.append(chatItem(m));
  }

  function chatItem(m) {
    return h("li", { class: "msg" + (m.error ? " msg-error" : ""), dataset: { from: m.from } },
      h("span", { class: "msg-from", text: m.from === "canvas" ? "You" : m.name || "Agent" }),
      h("span", { class: "msg-text", text: m.text }));
  }

  function addMessage(id, m) {
    if (!chats.has(id)) chats.set(id, []);
    chats.get(id).push(m);
    if (id === shownId) {
      const log = $("chat-log");
      log.append(chatItem(m));
      log.scrollTop = log.scrollHeight;
    }
  }

  async function sendChat(event) {
    event.preventDefault();
    const w = current(); if (!w) return;
    const input = $("chat-input");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    const id = w.id;
    addMessage(id, { from: "canvas", text });
    notice("chat-status", "Sending…");
    const body = {
      jsonrpc: "2.0", id: uuid(), method: "message/send",
      params: { message: { role: "user", messageId: uuid(), parts: [{ kind: "text", text }] } },
    };
    const r = await api.a2a(id, body);
    const statusFor = (t, e) => { if (id === shownId) notice("chat-status", t, e); };
    if (r.status >= 200 && r.status < 300) {
      const b = r.body || {};
      if (b.status === "queued") { statusFor(`Queued in the agent's inbox (poll mode). Its reply will appear here when it answers.`); return; }
      if (b.error) { addMessage(id, { from: "agent", name: w.name, text: describeRpcError(b.error), error: true }); statusFor(""); return; }
      const reply = replyText(b.result);
      addMessage(id, { from: "agent", name: w.name, text: reply || JSON.stringify(b.result ?? b) });
      statusFor("");
      return;
    }
    statusFor(`Not delivered: ${describeError(r)}`, true);
  }

  function agentMessage(id, payload) {
    const w = model.get(id);
    addMessage(id, { from: "agent", name: payload.name || (w && w.name), text: String(payload.message ?? "") });
  }

  // ---- activity ----

  async function loadActivity() {
    const id = shownId; if (!id) return;
    const r = await api.activity(id);
    if (id !== shownId || r.status !== 200 || !Array.isArray(r.body)) return;
    const list = $("activity-list");
    clear(list);
    if (r.body.length === 0) list.append(h("li", { class: "muted empty", text: "No activity yet." }));
    for (const a of r.body) {
      list.append(h("li", { class: "activity", dataset: { activityId: a.id, type: a.activity_type, status: a.status || "" } },
        h("span", { class: "activity-time", text: time(a.created_at) }),
        h("span", { class: "activity-type", text: a.activity_type }),
        h("span", { class: "activity-summary", text: a.summary || a.method || "" }),
        a.status ? h("span", { class: "activity-status", text: a.status }) : null,
        a.duration_ms !== null && a.duration_ms !== undefined ? h("span", { class: "muted", text: `${a.duration_ms} ms` }) : null,
        a.error_detail ? h("span", { class: "error-text", text: a.error_detail }) : null));
    }
  }

  function activityLogged(id) {
    if (id !== shownId) return;
    clearTimeout(activityTimer);
    activityTimer = setTimeout(loadActivity, 200);
  }

  // ---- secrets ----

  async function loadSecrets() {
    const id = shownId; if (!id) return;
    const r = await api.secrets(id);
    if (id !== shownId) return;
    const list = $("secret-list"), globals = $("secret-globals");
    clear(list); clear(globals);
    if (r.status !== 200 || !Array.isArray(r.body)) { notice("secret-status", "Could not list secrets: " + describeError(r), true); return; }
    for (const s of r.body) {
      if (s.scope === "global") { globals.append(h("li", { dataset: { globalKey: s.key } }, h("code", { text: s.key }), h("span", { text: " (global)" }))); continue; }
      list.append(h("li", { dataset: { key: s.key } },
        h("code", { text: s.key }),
        h("span", { class: "muted", text: ` updated ${time(s.updated_at)}` }),
        h("button", { type: "button", class: "small danger secret-delete", "aria-label": `Delete secret ${s.key}`, text: "Delete" })));
    }
    if (!list.childElementCount) list.append(h("li", { class: "muted empty", text: "No workspace secrets." }));
  }

  async function saveSecret(event) {
    event.preventDefault();
    const w = current(); if (!w) return;
    const keyInput = $("secret-key"), valueInput = $("secret-value");
    const key = keyInput.value.trim();
    const value = valueInput.value;
    valueInput.value = ""; // never keep a value in the page
    if (!key || !value) { notice("secret-status", "Enter a key and a value.", true); return; }
    const r = await api.saveSecret(w.id, key, value);
    if (r.status !== 200) { notice("secret-status", "Not saved: " + describeError(r), true); return; }
    keyInput.value = "";
    notice("secret-status", `Saved ${key}.`);
    loadSecrets();
  }

  async function deleteSecret(key) {
    const w = current(); if (!w) return;
    const r = await api.deleteSecret(w.id, key);
    if (r.status !== 200) { notice("secret-status", "Not deleted: " + describeError(r), true); return; }
    notice("secret-status", `Deleted ${key}.`);
    loadSecrets();
  }

  function secretsChanged(id) { if (id === shownId) loadSecrets(); }

  // ---- tokens ----

  async function loadTokens() {
    const id = shownId; if (!id) return;
    const r = await api.tokens(id);
    if (id !== shownId) return;
    const list = $("token-list");
    clear(list);
    if (r.status !== 200 || !Array.isArray(r.body)) { notice("token-status", "Could not list tokens: " + describeError(r), true); return; }
    for (const t of r.body)
      list.append(h("li", { dataset: { tokenId: t.id } },
        h("code", { text: t.prefix + "…" }),
        h("span", { class: "muted", text: ` created ${time(t.created_at)}, last used ${t.last_used_at ? time(t.last_used_at) : "never"}` }),
        h("button", { type: "button", class: "small danger token-revoke", "aria-label": `Revoke token ${t.prefix}`, text: "Revoke" })));
    if (!list.childElementCount) list.append(h("li", { class: "muted empty", text: "No live tokens." }));
  }

  function hideNewToken() {
    const box = $("new-token");
    clear(box);
    box.hidden = true;
  }

  async function mintToken() {
    const w = current(); if (!w) return;
    const r = await api.mintToken(w.id);
    if (r.status !== 201) { notice("token-status", "Not minted: " + describeError(r), true); return; }
    const box = $("new-token");
    clear(box);
    box.append(
      h("p", { text: "New token — store it now, it is not shown again:" }),
      h("code", { id: "new-token-value", class: "secret-once", text: r.body.auth_token }),
      h("div", { class: "row" },
        h("button", { type: "button", class: "small copy", dataset: { copyFrom: "new-token-value" }, text: "Copy" }),
        h("button", { type: "button", class: "small", id: "new-token-dismiss", text: "Done" })));
    box.hidden = false;
    notice("token-status", "");
    loadTokens();
    refresh();
  }

  async function revokeToken(tokenId) {
    const w = current(); if (!w) return;
    const r = await api.revokeToken(w.id, tokenId);
    if (r.status !== 200) { notice("token-status", "Not revoked: " + describeError(r), true); return; }
    notice("token-status", "Token revoked.");
    loadTokens();
  }

  function wire() {
    $("pause").addEventListener("click", pause);
    $("resume").addEventListener("click", resume);
    $("delete").addEventListener("click", openDelete);
    $("delete-cancel").addEventListener("click", () => $("delete-dialog").close());
    $("delete-confirm").addEventListener("click", confirmDelete);
    $("chat-form").addEventListener("submit", sendChat);
    $("activity-refresh").addEventListener("click", loadActivity);
    $("secret-form").addEventListener("submit", saveSecret);
    $("secret-list").addEventListener("click", (e) => {
      const b = e.target.closest(".secret-delete");
      if (b) deleteSecret(b.closest("li").dataset.key);
    });
    $("token-mint").addEventListener("click", mintToken);
    $("token-list").addEventListener("click", (e) => {
      const b = e.target.closest(".token-revoke");
      if (b) revokeToken(b.closest("li").dataset.tokenId);
    });
    $("new-token").addEventListener("click", (e) => { if (e.target.id === "new-token-dismiss") hideNewToken(); });
  }

  return { show, update, tick, wire, agentMessage, activityLogged, secretsChanged };
}

