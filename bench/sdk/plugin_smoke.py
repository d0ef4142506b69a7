"""Publishes a plugin to a running ./run and installs it with the unmodified official Python SDK.

    MOLECULE_SDK_PATH=/path/to/molecule-sdk-python python3 bench/sdk/plugin_smoke.py [http://127.0.0.1:7071]

The plugin's plugin.yaml carries the content hash of contract §5.2, so install_plugin() verifies it.
"""
import hashlib
import io
import json
import os
import pathlib
import sys
import tarfile
import tempfile

import requests

from _smoke import BASE, H, check, finish  # noqa: E402  (puts MOLECULE_SDK_PATH on sys.path)
from molecule_agent import RemoteAgentClient  # noqa: E402



files = {
    "README.md": b"hello\n",
    "skills/hello/SKILL.md": b"# skill\n",
    "skills/hello/scripts/run.sh": b"#!/bin/sh\necho hi\n",
    "docs/caf\u00e9.txt": "caf\u00e9 \U0001F600\n".encode(),
    ".hidden": b"dot\n",
}
pairs = sorted((p, hashlib.sha256(b).hexdigest()) for p, b in files.items())   # contract §5.2
content_hash = hashlib.sha256(json.dumps(pairs, sort_keys=True).encode()).hexdigest()
name = "sdk-smoke-plugin"
manifest = f"name: {name}\nversion: 1.2.3\ndescription: smoke test plugin\nauthor: molecule\ntags: [demo, smoke]\nruntimes: [external]\nsha256: {content_hash}\n"

buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w:gz") as tar:       # like `tar -czf p.tgz -C dir .`: ./-prefixed names
    for path, data in [("plugin.yaml", manifest.encode()), *files.items()]:
        info = tarfile.TarInfo("./" + path)
        info.size = len(data)
        info.mode = 0o755 if path.endswith(".sh") else 0o644
        tar.addfile(info, io.BytesIO(data))
published = requests.put(f"{BASE}/plugins/{name}", headers=H, data=buffer.getvalue())
check("PUT /plugins/:name publishes", published.status_code == 201, published.text)

ws = requests.post(f"{BASE}/workspaces", headers=H, json={"name": "plugin-user"}).json()["id"]
client = RemoteAgentClient(workspace_id=ws, platform_url=BASE, agent_card={"name": "plugin-user"},
                           token_dir=pathlib.Path(tempfile.mkdtemp()))
client.register()
installed = client.install_plugin(name)        # raises ValueError on a sha256 mismatch
check("install_plugin() unpacked and verified the sha256", installed.is_dir(), str(installed))
same = all((installed / p).read_bytes() == b for p, b in files.items())
check("files are byte-identical to the upload", same)
check("the executable kept its execute bit", os.access(installed / "skills/hello/scripts/run.sh", os.X_OK))
record = requests.get(f"{BASE}/workspaces/{ws}/plugins", headers=H).json()
check("the install was recorded", [r["name"] for r in record] == [name] and record[0]["version"] == "1.2.3", str(record))
listed = [p for p in requests.get(f"{BASE}/plugins", headers=H).json() if p["name"] == name]
check("GET /plugins shows the manifest", listed and listed[0]["tags"] == ["demo", "smoke"], str(listed))

requests.delete(f"{BASE}/plugins/{name}", headers=H)
requests.delete(f"{BASE}/workspaces/{ws}", headers=H)
finish()
