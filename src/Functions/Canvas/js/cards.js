// Agent card shapes (contract §5.4): A2A v1.0 (supportedInterfaces, checked first), A2A v0.3 (url / protocolVersion),
// or a minimal Molecule card ({"name","skills"}). Returns plain strings for display.
import { h } from "./dom.js";

const str = (v) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));

export function readCard(card) {
  if (!card || typeof card !== "object" || Array.isArray(card)) return null;
  let shape = "Molecule card";
  const capabilities = [];
  const caps = card.capabilities && typeof card.capabilities === "object" ? card.capabilities : {};
  let endpoints = [];
  if (Array.isArray(card.supportedInterfaces)) {
    shape = "A2A v1.0";
    endpoints = card.supportedInterfaces.filter((i) => i && typeof i === "object")
      .map((i) => [str(i.protocolBinding), str(i.protocolVersion)].filter(Boolean).join(" "));
    if (caps.extendedAgentCard) capabilities.push("extended card");
  } else if ("url" in card || "protocolVersion" in card) {
    shape = "A2A v0.3" + (card.protocolVersion ? ` (protocol ${str(card.protocolVersion)})` : "");
    if (card.preferredTransport) endpoints.push(str(card.preferredTransport));
    if (Array.isArray(card.additionalInterfaces))
      for (const i of card.additionalInterfaces) if (i && i.transport) endpoints.push(str(i.transport));
    if (caps.stateTransitionHistory) capabilities.push("state history");
    if (card.supportsAuthenticatedExtendedCard) capabilities.push("extended card");
  }
  if (caps.streaming) capabilities.unshift("streaming");
  if (caps.pushNotifications) capabilities.splice(caps.streaming ? 1 : 0, 0, "push notifications");
  if (Array.isArray(caps.extensions) && caps.extensions.length) capabilities.push(`${caps.extensions.length} extension${caps.extensions.length > 1 ? "s" : ""}`);
  const skills = (Array.isArray(card.skills) ? card.skills : [])
    .filter((s) => s && typeof s === "object")
    .map((s) => ({
      name: str(s.name || s.id),
      description: str(s.description),
      tags: Array.isArray(s.tags) ? s.tags.map(str).filter(Boolean) : [],
    }));
  const provider = card.provider && typeof card.provider === "object" ? str(card.provider.organization) : "";
  return {
    shape, name: str(card.name), description: str(card.description), version: str(card.version), provider,
    skills, capabilities, endpoints: endpoints.filter(Boolean),
  };
}

/** Compact view for a tree node. */
export function cardSummary(card) {
  const c = readCard(card);
  if (!c) return null;
  const tags = [...new Set(c.skills.flatMap((s) => s.tags))].slice(0, 6);
  return h("div", { class: "node-card" },
    h("span", { class: "card-name", text: c.name || "(unnamed card)" }),
    c.version ? h("span", { class: "card-version", text: "v" + c.version }) : null,
    h("span", { class: "card-shape", text: c.shape }),
    c.skills.length ? h("span", { class: "card-skills", text: `${c.skills.length} skill${c.skills.length > 1 ? "s" : ""}` }) : null,
    tags.map((t) => h("span", { class: "tag", text: t })));
}

/** Full view for the detail panel. */
export function cardDetail(card) {
  const c = readCard(card);
  if (!c) return h("p", { class: "muted", text: "No agent card yet — the agent sends one when it registers." });
  return h("div", { class: "card-detail" },
    h("p", { class: "card-title" },
      h("strong", { class: "card-name", text: c.name || "(unnamed)" }),
      c.version ? h("span", { class: "card-version", text: " v" + c.version }) : null,
      h("span", { class: "card-shape", text: c.shape })),
    c.description ? h("p", { class: "card-description", text: c.description }) : null,
    c.provider ? h("p", { class: "muted", text: "Provider: " + c.provider }) : null,
    h("p", { class: "card-capabilities" }, h("span", { class: "muted", text: "Capabilities: " }),
      c.capabilities.length ? c.capabilities.map((x) => h("span", { class: "cap", text: x })) : h("span", { text: "none declared" })),
    c.endpoints.length ? h("p", { class: "muted", text: "Interfaces: " + c.endpoints.join(", ") }) : null,
    c.skills.length
      ? h("ul", { class: "skills", "aria-label": "Skills" }, c.skills.map((s) => h("li", { class: "skill" },
          h("strong", { text: s.name || "(unnamed skill)" }),
          s.description ? h("span", { class: "skill-description", text: " — " + s.description }) : null,
          s.tags.length ? h("span", { class: "tags" }, s.tags.map((t) => h("span", { class: "tag", text: t }))) : null)))
      : h("p", { class: "muted", text: "No skills declared." }));
}
