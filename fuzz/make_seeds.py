#!/usr/bin/env python3
"""Build fuzz/seeds/<target>/ from testdata/ and ../shared/corpus (when present).

Small files only (the whole seed set stays under 2 MB); each seed carries the selector
byte its target expects (see src/lib.rs). Run from the repository root:
    python3 fuzz/make_seeds.py
"""
import hashlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds"
MAX_FILE = 12 * 1024
# Seeds kept per target (by hash order, so the choice is stable).
CAP = {"expressions": 150, "shell": 250, "yaml": 120, "gha": 160, "check": 60, "lockfile": 80}
SOURCES = [ROOT / "testdata", ROOT.parent / "shared" / "corpus"]

# Must match the tables in src/lib.rs.
LOCKFILES = ["Cargo.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
             "uv.lock", "Pipfile.lock", "requirements.txt", "go.mod", "go.sum", "Gemfile.lock"]
CONFIGS = [".npmrc", ".yarnrc.yml", "config.toml", "pip.conf", "pyproject.toml", ".gemrc", "Gemfile"]
REPO_PATHS = [".github/workflows/a.yml", ".github/workflows/b.yaml", ".github/workflows/actions.lock",
              ".github/dependabot.yml", "action.yml", ".github/actions/setup/action.yml",
              "tollgate.toml", "Cargo.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
              "poetry.lock", "uv.lock", "Pipfile.lock", "requirements.txt", "go.mod", "go.sum",
              "Gemfile.lock", ".npmrc", ".yarnrc.yml", ".cargo/config.toml", "pip.conf",
              "pyproject.toml", ".gemrc", "Gemfile", "web/package-lock.json"]


def files():
    for src in SOURCES:
        if not src.is_dir():
            print(f"skipped: {src} is not present", file=sys.stderr)
            continue
        for p in sorted(src.rglob("*")):
            if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_FILE:
                yield p


def put(target, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def kind_of(p: Path):
    name, parts = p.name, p.parts
    if ".github" in parts and "workflows" in parts and name.endswith((".yml", ".yaml")):
        return "workflow"
    if name == "actions.lock":
        return "actions-lock"
    if name in ("action.yml", "action.yaml"):
        return "action"
    if name in ("dependabot.yml", "dependabot.yaml"):
        return "dependabot"
    if name in LOCKFILES or re.match(r"(requirements|constraints).*\.(txt|in)$", name):
        return "lockfile"
    if name in CONFIGS or (name == "config" and ".cargo" in parts):
        return "config"
    return None


def scripts(text):
    """`run:` bodies, crudely: one-line values and indented literal blocks."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:- )?run:\s*(.*)$", line)
        if not m:
            continue
        rest = m.group(2)
        if rest and rest[0] not in "|>":
            yield rest
            continue
        body, indent = [], None
        for nxt in lines[i + 1:]:
            if not nxt.strip():
                body.append("")
                continue
            ind = len(nxt) - len(nxt.lstrip())
            if indent is None:
                indent = ind
            if ind < indent or ind <= len(m.group(1)):
                break
            body.append(nxt[indent:])
        if body:
            yield "\n".join(body) + "\n"


def main():
    repo_dirs = {}
    for p in files():
        k = kind_of(p)
        if k is None:
            continue
        data = p.read_bytes()
        if k in ("workflow", "action", "dependabot", "actions-lock"):
            put("yaml", data) if k != "actions-lock" else None
            sel = {"workflow": 0, "action": 1, "actions-lock": 2, "dependabot": 3}[k]
            put("gha", bytes([sel]) + data)
            text = data.decode("utf-8", "replace")
            for s in scripts(text):
                put("shell", s.encode())
            for line in text.splitlines():
                if "${{" in line:
                    put("expressions", line.strip().encode())
        elif k == "lockfile":
            name = p.name if p.name in LOCKFILES else "requirements.txt"
            put("lockfile", bytes([LOCKFILES.index(name)]) + data)
            if name == "pnpm-lock.yaml":
                put("yaml", data)
        else:
            name = "config.toml" if p.parent.name == ".cargo" else p.name
            put("registry_config", bytes([CONFIGS.index(name)]) + data)
        # Group files by the directory that holds `.github` (or the file's own directory)
        # into repositories for the `check` target.
        parts = p.parts
        root = Path(*parts[: parts.index(".github")]) if ".github" in parts else p.parent
        repo_dirs.setdefault(root, []).append(p)
    for root, ps in sorted(repo_dirs.items()):
        records = []
        for p in ps[:6]:
            rel = p.relative_to(root).as_posix()
            if rel in REPO_PATHS:
                sel = REPO_PATHS.index(rel)
            elif rel.startswith(".github/workflows/") and rel.endswith(("yml", "yaml")):
                sel = 0
            elif p.name in ("action.yml", "action.yaml"):
                sel = 5
            elif p.name in REPO_PATHS:
                sel = REPO_PATHS.index(p.name)
            else:
                continue
            records.append(bytes([sel]) + p.read_bytes())
        if records:
            put("check", b"\0\0".join(records))
    for d in OUT.iterdir():
        for extra in sorted(d.iterdir())[CAP.get(d.name, 10**6):]:
            extra.unlink()
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    for d in sorted(OUT.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
