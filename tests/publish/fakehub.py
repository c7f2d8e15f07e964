"""A local fake of the Hugging Face Hub HTTP API: the subset `huggingface_hub` and `datasets` use to publish and load.

A real HTTP server on 127.0.0.1 in a thread, so the real clients run unchanged with `HF_ENDPOINT` pointed at it
(and `HF_HUB_DISABLE_XET=1`: every file is answered with the "regular" upload mode, inlined base64 in the NDJSON
commit, so neither LFS nor Xet storage is needed). Dataset repos only. Endpoints, as `huggingface_hub` 2.x calls
them (hf_api.py, _commit_api.py, file_download.py, hf_file_system.py):

    POST /api/repos/create                               create_repo (409 when it exists)
    POST /api/validate-yaml                              create_commit's README.md metadata check
    POST /api/datasets/ORG/NAME/preupload/REV            upload mode per file (always "regular")
    POST /api/datasets/ORG/NAME/commit/REV               NDJSON commit: header, file, deletedFile, deletedFolder
    POST /api/datasets/ORG/NAME/tag/REV                  create_tag (409 when the tag exists)
    GET  /api/datasets/ORG/NAME/refs                     list_repo_refs
    GET  /api/datasets/ORG/NAME[/revision/REV]           dataset_info / repo_info (sha, siblings)
    GET  /api/datasets/ORG/NAME/commits/REV              list_repo_commits (dates)
    GET  /api/datasets/ORG/NAME/tree/REV[/PATH]          list_repo_tree (recursive or not), one page
    POST /api/datasets/ORG/NAME/paths-info/REV           get_paths_info (form-encoded paths)
    HEAD/GET /datasets/ORG/NAME/resolve/REV/PATH         file metadata and download (Range supported)

Writes need an `Authorization: Bearer …` header; every token seen is recorded in `FakeHub.tokens_seen`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

API = re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)(?:/(?P<verb>[a-z-]+)(?:/(?P<rest>.*))?)?$")
RESOLVE = re.compile(r"^/datasets/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")


def git_blob_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass
class Commit:
    oid: str
    files: dict[str, bytes]
    title: str
    date: str
    parent: str | None


@dataclass
class Repo:
    repo_id: str
    private: bool
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> Commit | None:
        oid = self.branches.get(revision) or self.tags.get(revision) or revision
        return self.commits.get(oid)

    def add_commit(self, files: dict[str, bytes], title: str, parent: str | None) -> Commit:
        seed = json.dumps([parent, title, len(self.commits), sorted(files)]).encode()
        oid = hashlib.sha1(seed + b"".join(files[p] for p in sorted(files))).hexdigest()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        commit = Commit(oid, files, title, now, parent)
        self.commits[oid] = commit
        return commit


class FakeHub:
    """The server's state plus its lifecycle: `with FakeHub() as hub: ... hub.url ...`."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.tokens_seen: set[str] = set()
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def create(self, repo_id: str, private: bool = False) -> Repo:
        # A new Hub repo starts with one commit holding .gitattributes.
        repo = Repo(repo_id, private)
        repo.branches["main"] = repo.add_commit(
            {".gitattributes": b"*.parquet filter=lfs\n"}, "initial commit", None
        ).oid
        self.repos[repo_id] = repo
        return repo


class _Reply(Exception):
    """Raised by a handler to answer with a status, a JSON body and optional headers."""

    def __init__(self, status: int, body: object = None, headers: dict | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}


def _not_found(code: str, message: str) -> _Reply:
    return _Reply(404, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message})


def _handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_HEAD(self) -> None:
            self._dispatch("HEAD")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def _dispatch(self, method: str) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                hub.tokens_seen.add(auth.removeprefix("Bearer "))
            hub.requests.append(f"{method} {url.path}")
            try:
                with hub.lock:
                    route(hub, method, url.path, parse_qs(url.query), body, dict(self.headers), auth)
                raise _Reply(404, {"error": f"fakehub: no route for {method} {url.path}"})
            except _Reply as reply:
                self._send(method, reply)

        def _send(self, method: str, reply: _Reply) -> None:
            raw = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            for key, value in headers.items():
                self.send_header(key, str(value))
            self.send_header("Content-Length", str(headers.get("Content-Length", len(raw))))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(raw)

    return Handler


def route(hub: FakeHub, method: str, path: str, query: dict, body: bytes, headers: dict, auth: str) -> None:
    """Answer one request by raising `_Reply`; returning means no route matched."""
    if method == "POST" and path == "/api/repos/create":
        _require_auth(auth)
        _create_repo(hub, json.loads(body))
    if method == "POST" and path == "/api/validate-yaml":
        raise _Reply(200, {"errors": [], "warnings": []})
    if match := RESOLVE.match(path):
        repo = _repo(hub, match["repo"])
        _resolve_file(repo, unquote(match["rev"]), unquote(match["path"]), headers)
    if match := API.match(path):
        repo = _repo(hub, match["repo"])
        verb, rest = match["verb"], match["rest"] or ""
        rev, _, sub = rest.partition("/")
        rev, sub = unquote(rev), unquote(sub)
        if method == "POST" and verb == "paths-info":
            raise _Reply(200, _paths_info(_commit(repo, rev).files, parse_qs(body.decode())))
        if method == "POST":
            _require_auth(auth)
            _post(repo, verb, rev, body)
        _get(hub, repo, verb, rev, sub, query)


def _require_auth(auth: str) -> None:
    if not auth.startswith("Bearer "):
        raise _Reply(
            401, {"error": "Invalid credentials"}, {"X-Error-Message": "Invalid credentials in Authorization header"}
        )


def _repo(hub: FakeHub, repo_id: str) -> Repo:
    repo = hub.repos.get(unquote(repo_id))
    if repo is None:
        raise _Reply(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
    return repo


def _commit(repo: Repo, rev: str) -> Commit:
    commit = repo.resolve(rev or "main")
    if commit is None:
        raise _not_found("RevisionNotFound", f"Invalid rev id: {rev}")
    return commit


def _create_repo(hub: FakeHub, payload: dict) -> None:
    repo_id = f"{payload.get('organization')}/{payload['name']}"
    if payload.get("type") != "dataset":
        raise _Reply(400, {"error": "fakehub serves dataset repos only"})
    if repo_id in hub.repos:
        raise _Reply(409, {"error": "You already created this dataset repo", "url": f"{hub.url}/datasets/{repo_id}"})
    hub.create(repo_id, private=payload.get("visibility") == "private")
    raise _Reply(200, {"url": f"{hub.url}/datasets/{repo_id}", "name": repo_id})


def _post(repo: Repo, verb: str, rev: str, body: bytes) -> None:
    if verb == "preupload":
        files = _commit(repo, rev).files
        answer = [
            {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": _oid_or_none(files, f["path"])}
            for f in json.loads(body)["files"]
        ]
        raise _Reply(200, {"files": answer, "commitOid": _commit(repo, rev).oid})
    if verb == "commit":
        _apply_commit(repo, rev, body)
    if verb == "tag":
        tag = json.loads(body)["tag"]
        if tag in repo.tags:
            raise _Reply(409, {"error": f"Tag {tag} already exists"})
        repo.tags[tag] = _commit(repo, rev).oid
        raise _Reply(200, {})


def _oid_or_none(files: dict[str, bytes], path: str) -> str | None:
    return git_blob_oid(files[path]) if path in files else None


def _apply_commit(repo: Repo, branch: str, body: bytes) -> None:
    if branch not in repo.branches:
        raise _not_found("RevisionNotFound", f"Invalid rev id: {branch}")
    parent = repo.commits[repo.branches[branch]]
    files, title = dict(parent.files), ""
    for line in body.splitlines():
        item = json.loads(line)
        key, value = item["key"], item["value"]
        if key == "header":
            title = value["summary"]
            if value.get("parentCommit") not in (None, parent.oid):
                raise _Reply(412, {"error": f"parent commit {value['parentCommit']} is not the head of {branch}"})
        elif key == "file":
            files[value["path"]] = base64.b64decode(value["content"])
        elif key == "deletedFile":
            files.pop(value["path"], None)
        elif key == "deletedFolder":
            prefix = value["path"].rstrip("/") + "/"
            files = {p: c for p, c in files.items() if not p.startswith(prefix)}
        else:
            raise _Reply(400, {"error": f"fakehub does not support {key!r} (LFS/Xet); answer regular uploads only"})
    commit = repo.add_commit(files, title, parent.oid)
    repo.branches[branch] = commit.oid
    url = f"/datasets/{repo.repo_id}/commit/{commit.oid}"
    raise _Reply(200, {"commitUrl": url, "commitOid": commit.oid, "pullRequestUrl": None})


def _get(hub: FakeHub, repo: Repo, verb: str | None, rev: str, sub: str, query: dict) -> None:
    if verb is None or verb == "revision":
        commit = _commit(repo, rev)
        siblings = [{"rfilename": p, "size": len(c)} for p, c in sorted(commit.files.items())]
        info = {"id": repo.repo_id, "_id": repo.repo_id, "author": repo.repo_id.split("/")[0], "sha": commit.oid}
        raise _Reply(200, info | {"private": repo.private, "lastModified": commit.date, "siblings": siblings})
    if verb == "refs":
        raise _Reply(
            200,
            {
                "branches": [_ref(name, "heads", oid) for name, oid in repo.branches.items()],
                "tags": [_ref(name, "tags", oid) for name, oid in repo.tags.items()],
                "converts": [],
                "pullRequests": [],
            },
        )
    if verb == "commits":
        history, commit = [], _commit(repo, rev)
        while commit is not None:
            item = {"id": commit.oid, "title": commit.title, "message": "", "date": commit.date}
            history.append(item | {"authors": [{"user": "fakehub"}]})
            commit = repo.commits.get(commit.parent) if commit.parent else None
        raise _Reply(200, history)
    if verb == "tree":
        recursive = query.get("recursive", ["False"])[0].lower() in ("1", "true")
        raise _Reply(200, _tree(_commit(repo, rev).files, sub.strip("/"), recursive))


def _ref(name: str, kind: str, oid: str) -> dict:
    return {"name": name, "ref": f"refs/{kind}/{name}", "targetCommit": oid}


def _tree(files: dict[str, bytes], base: str, recursive: bool) -> list[dict]:
    prefix = f"{base}/" if base else ""
    if base and base not in _folders(files) and base not in files:
        raise _not_found("EntryNotFound", f"{base} does not exist")
    entries: dict[str, dict] = {}
    for path, content in sorted(files.items()):
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix) :].split("/")
        for depth in range(1, len(parts)):
            folder = prefix + "/".join(parts[:depth])
            if recursive or depth == 1:
                entries.setdefault(folder, _folder_entry(folder))
        if recursive or len(parts) == 1:
            entries[path] = _file_entry(path, content)
    return list(entries.values())


def _folders(files: dict[str, bytes]) -> set[str]:
    return {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}


def _file_entry(path: str, content: bytes) -> dict:
    return {"type": "file", "path": path, "size": len(content), "oid": git_blob_oid(content)}


def _folder_entry(path: str) -> dict:
    return {"type": "directory", "path": path, "oid": hashlib.sha1(path.encode()).hexdigest()}


def _paths_info(files: dict[str, bytes], form: dict) -> list[dict]:
    folders = _folders(files)
    entries = []
    for path in form.get("paths", []):
        path = path.strip("/")
        if path in files:
            entries.append(_file_entry(path, files[path]))
        elif path in folders:
            entries.append(_folder_entry(path))
    return entries


def _resolve_file(repo: Repo, rev: str, path: str, headers: dict) -> None:
    commit = _commit(repo, rev)
    if path not in commit.files:
        raise _not_found("EntryNotFound", f"{path} does not exist at {rev}")
    content = commit.files[path]
    answer = {"X-Repo-Commit": commit.oid, "ETag": f'"{git_blob_oid(content)}"', "Accept-Ranges": "bytes"}
    answer["Content-Type"] = "application/octet-stream"
    span = re.fullmatch(r"bytes=(\d+)-(\d*)", headers.get("Range", headers.get("range", "")) or "")
    if span:
        start, end = int(span[1]), int(span[2]) if span[2] else len(content) - 1
        part = content[start : end + 1]
        answer["Content-Range"] = f"bytes {start}-{start + len(part) - 1}/{len(content)}"
        raise _Reply(206, part, answer)
    raise _Reply(200, content, answer)
