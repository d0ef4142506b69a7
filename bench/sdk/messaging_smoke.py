"""Runs the unmodified official Python SDK's messaging methods against a running ./run.

    MOLECULE_SDK_PATH=/path/to/molecule-sdk-python python3 bench/sdk/messaging_smoke.py [http://127.0.0.1:7071]

Exercises get_peers(), discover_peer(), call_peer() (through the proxy and "direct", which is the proxy
address too), run_agent_loop() in poll mode with a handler that replies, reply() to the canvas and to a
peer, fetch_inbound() with cursors, and delegate().
"""
import pathlib
import sys
import tempfile

import requests

from _smoke import BASE, H, check, finish  # noqa: E402  (puts MOLECULE_SDK_PATH on sys.path)
from molecule_agent import RemoteAgentClient  # noqa: E402
from molecule_agent.inbound import PollDelivery  # noqa: E402



def create(name, parent=None):
    body = {"name": name}
    if parent:
        body["parent_id"] = parent
    r = requests.post(f"{BASE}/workspaces", headers=H, json=body)
    r.raise_for_status()
    return r.json()["id"]


tmp = pathlib.Path(tempfile.mkdtemp())


def agent(ws, name):
    c = RemoteAgentClient(workspace_id=ws, platform_url=BASE, agent_card={"name": name, "skills": []},
                          token_dir=tmp / name, heartbeat_interval=0.2)
    c.register()
    return c


lead_id = create("sdk-lead")
a_id = create("sdk-alpha", lead_id)
b_id = create("sdk-bravo", lead_id)
lead, a, b = agent(lead_id, "lead"), agent(a_id, "alpha"), agent(b_id, "bravo")

peers = {p.id: p for p in a.get_peers()}
check("get_peers() lists the sibling and the parent", set(peers) == {b_id, lead_id}, str(sorted(p.name for p in peers.values())))
check("peer urls are the platform proxy", peers[b_id].url == f"{BASE}/workspaces/{b_id}/a2a", peers[b_id].url)
a._url_cache.clear()
check("discover_peer() returns the proxy address", a.discover_peer(b_id) == f"{BASE}/workspaces/{b_id}/a2a")
check("discover_peer() of an unknown id is None", a.discover_peer("00000000-0000-4000-8000-000000000000") is None)

r1 = a.call_peer(b_id, "hello from alpha")                 # "direct": the cached URL is the proxy
r2 = a.call_peer(b_id, "second via proxy", prefer_direct=False)
check("call_peer() direct → queued for the poll-mode peer", r1.get("status") == "queued", str(r1))
check("call_peer(prefer_direct=False) → queued", r2.get("status") == "queued", str(r2))

# the canvas (admin) talks to bravo too
requests.post(f"{BASE}/workspaces/{b_id}/a2a", headers=H, json={"method": "message/send", "params": {
    "message": {"role": "user", "parts": [{"kind": "text", "text": "hi from the canvas"}]}}}).raise_for_status()

seen = []


def handler(msg, client):
    seen.append((msg.source, msg.text))
    if msg.raw.get("request_body", {}).get("params", {}).get("message", {}).get("role") == "agent":
        return None   # never answer replies (contract §6 note)
    return f"ack: {msg.text}"


ended = b.run_agent_loop(handler, delivery=PollDelivery(b, interval=0.2), max_iterations=3)
check("run_agent_loop() delivered the three inbox messages", sorted(seen) == sorted([
    ("peer_agent", "hello from alpha"), ("peer_agent", "second via proxy"), ("canvas_user", "hi from the canvas")]), str(seen))
check("run_agent_loop(max_iterations) returns", ended == "max_iterations")

inbound = a.fetch_inbound()
texts = [m.text for m in inbound]
check("reply() to a peer lands in the peer's inbox", "ack: hello from alpha" in texts and "ack: second via proxy" in texts, str(texts))
check("replies arrive as role=agent from bravo", all(m.source == "peer_agent" and m.source_id == b_id for m in inbound))
later = a.fetch_inbound(since_id=inbound[-1].activity_id)
check("fetch_inbound(since_id) after the last row is empty", later == [])
notes = requests.get(f"{BASE}/workspaces/{b_id}/activity?type=agent_message", headers=H).json()
check("reply() to the canvas is stored as agent_message", any(n["summary"] == "ack: hi from the canvas" for n in notes))
own = b.fetch_inbound()
check("bravo's own replies never come back to it", all(not m.text.startswith("ack:") for m in own), str([m.text for m in own]))

d = a.delegate("summarise the failed builds", b_id)
check("delegate() → 202 queued for a poll target", d.get("status") == "queued" and d.get("target_id") == b_id, str(d))
again = a.delegate("summarise the failed builds", b_id)
check("delegate() again in the same minute is an idempotent hit", again.get("idempotent_hit") is True and again["delegation_id"] == d["delegation_id"])
got = [m for m in b.fetch_inbound() if m.text == "summarise the failed builds"]
check("the delegation is in the target's inbox", len(got) == 1)

try:
    requests.post(f"{BASE}/workspaces/{lead_id}/pause", headers=H).raise_for_status()
    ended = b.run_agent_loop(handler, delivery=PollDelivery(b, interval=0.2), max_iterations=5)
    check("run_agent_loop() returns 'paused' when an ancestor pauses the subtree", ended == "paused")
finally:
    requests.delete(f"{BASE}/workspaces/{lead_id}?confirm=true", headers=H)

finish()
