// DOM helpers. Text from the API only ever goes through textContent or attributes, never innerHTML.

/** h("li", {class: "x", dataset: {id}}, "text", child) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (id) => document.getElementById(id);

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

export const STATUS_LABELS = {
  awaiting_agent: "Awaiting agent",
  online: "Online",
  degraded: "Degraded",
  offline: "Offline",
  paused: "Paused",
  removed: "Removed",
};

export const statusLabel = (s) => STATUS_LABELS[s] || String(s || "unknown");

/** "never", "12 s ago", "3 min ago", "2 h ago", "4 d ago" */
export function ago(timestamp, now = Date.now()) {
  if (!timestamp) return "never";
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return "never";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function percent(rate) {
  const n = Number(rate);
  if (!Number.isFinite(n)) return "0%";
  return `${Math.round(n * 1000) / 10}%`;
}

export function time(timestamp) {
  if (!timestamp) return "—";
  const d = new Date(timestamp);
  return Number.isNaN(d.getTime()) ? String(timestamp) : d.toLocaleString();
}

export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    if (button) { const old = button.textContent; button.textContent = "Copied"; setTimeout(() => { button.textContent = old; }, 1500); }
  } catch {
    if (button) button.textContent = "Select and copy";
  }
}
