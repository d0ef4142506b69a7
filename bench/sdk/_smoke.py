"""Shared by the SDK smoke scripts: where the platform is, the admin token, and PASS/FAIL bookkeeping."""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, os.environ["MOLECULE_SDK_PATH"])   # the SDK is never copied into this repository

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7071"
ADMIN = os.environ.get("Molecule__AdminToken") or (ROOT / ".localhost" / "admin-token").read_text().strip()
H = {"Authorization": f"Bearer {ADMIN}"}
results = []


def check(name, ok, detail=""):
    results.append((name, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}  {detail}")


def finish():
    failed = sum(not ok for _, ok in results)
    print({"passed": len(results) - failed, "failed": failed})
    sys.exit(1 if failed else 0)
