"""Runs the unmodified official Python SDK (molecule_agent.RemoteAgentClient) against a running ./run.

The SDK is not part of this repository: point MOLECULE_SDK_PATH at a checkout of
Molecule-AI/molecule-sdk-python (it needs `requests` and `pyyaml`). Usage:

    MOLECULE_SDK_PATH=/path/to/molecule-sdk-python python3 bench/sdk/registry_smoke.py [http://127.0.0.1:7071]

It creates workspaces with the admin token from .localhost/admin-token and exercises register(),
heartbeat(), poll_state(), run_heartbeat_loop() ending on pause and on delete, and the restart path.
"""
import pathlib
import sys
import tempfile
import threading
import time

import requests

from _smoke import BASE, H, check, finish  # noqa: E402  (puts MOLECULE_SDK_PATH on sys.path)
from molecule_agent import RemoteAgentClient  # noqa: E402



def create(name):
    r = requests.post(f"{BASE}/workspaces", headers=H, json={"name": name})
    r.raise_for_status()
    return r.json()["id"]


def client(ws, token_dir, **kw):
    return RemoteAgentClient(workspace_id=ws, platform_url=BASE, agent_card={"name": "sdk-smoke", "skills": []},
                             token_dir=pathlib.Path(token_dir), heartbeat_interval=0.5, **kw)


tmp = tempfile.mkdtemp()

# register → heartbeat → poll_state
ws = create("sdk-smoke")
c = client(ws, f"{tmp}/a")
token = c.register()
check("register() claims and saves a token", token.startswith("mws_") and c.token_file.exists(), token[:12] + "…")
c.heartbeat(current_task="smoke", active_tasks=1)
check("heartbeat() accepted", True)
st = c.poll_state()
check("poll_state() online", st.status == "online" and not st.paused and not st.deleted, str(st))

# restart: a new client with the cached token re-registers (no-op) and keeps working
c2 = client(ws, f"{tmp}/a")
again = c2.register()
check("register() on restart keeps the cached token", again == token)
c2.heartbeat()
check("heartbeat() after restart", c2.poll_state().status == "online")

# run_heartbeat_loop ends with "paused" when the admin pauses the workspace
threading.Timer(1.2, lambda: requests.post(f"{BASE}/workspaces/{ws}/pause", headers=H)).start()
started = time.time()
ended = c2.run_heartbeat_loop()
check("run_heartbeat_loop() returns 'paused' on pause", ended == "paused", f"after {time.time() - started:.1f}s")

# resume, the agent heartbeats back online; then delete ends the loop with "removed"
requests.post(f"{BASE}/workspaces/{ws}/resume", headers=H).raise_for_status()
c2.heartbeat()
check("heartbeat() after resume brings it online", c2.poll_state().status == "online")
threading.Timer(1.2, lambda: requests.delete(f"{BASE}/workspaces/{ws}", headers=H)).start()
ended = c2.run_heartbeat_loop()
check("run_heartbeat_loop() returns 'removed' on delete", ended == "removed")
st = c2.poll_state()
check("poll_state() after delete is deleted", st.deleted and st.status == "removed", str(st))

# an admin-issued token saved with save_token (the snippet path for closed claim windows)
ws2 = create("sdk-smoke-saved")
minted = requests.post(f"{BASE}/workspaces/{ws2}/tokens", headers=H).json()["auth_token"]
c3 = client(ws2, f"{tmp}/b")
c3.save_token(minted)
c3.register()
check("save_token() + register() no-op keeps the admin token", c3.load_token() == minted)
c3.heartbeat()
check("heartbeat() with the saved token", c3.poll_state().status == "online")
requests.delete(f"{BASE}/workspaces/{ws2}", headers=H)

finish()
