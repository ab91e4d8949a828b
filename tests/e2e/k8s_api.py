"""A stand-in for the few Kubernetes API calls Flink's Kubernetes HA makes: ConfigMaps in
namespaces (get, list by labels, create, replace and merge-patch with resourceVersion checks,
delete, delete by labels) and watches on them, over WebSocket (fabric8's default) or a chunked
HTTP stream. Only the API server is a stand-in: the Flink processes and their logs are real.

Runs as a thread of the harness on a free loopback port (`ApiServer(port).start()`); `kubeconfig`
writes the file Flink's `kubernetes.config.file` points at.
"""

import base64
import copy
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def _selector(text: str) -> list[tuple[str, str, str]]:
    """`a=b,c!=d,e` as (key, op, value) triples (equality, inequality and existence only)."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "!=" in part:
            k, v = part.split("!=", 1)
            out.append((k.strip(), "!=", v.strip()))
        elif "==" in part or "=" in part:
            k, v = part.replace("==", "=").split("=", 1)
            out.append((k.strip(), "=", v.strip()))
        else:
            out.append((part, "exists", ""))
    return out


def _matches(obj: dict, labels: list, fields: list) -> bool:
    have = obj["metadata"].get("labels") or {}
    for k, op, v in labels:
        if op == "=" and have.get(k) != v or op == "!=" and have.get(k) == v or op == "exists" and k not in have:
            return False
    for k, op, v in fields:
        got = {"metadata.name": obj["metadata"]["name"],
               "metadata.namespace": obj["metadata"]["namespace"]}.get(k)
        if op == "=" and got != v or op == "!=" and got == v:
            return False
    return True


def _merge(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _merge(out.get(k), v)
    return out


class Store:
    """ConfigMaps by (namespace, name), a global resourceVersion, and every change in order."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.objects: dict[tuple[str, str], dict] = {}
        self.rv = 0
        self.history: list[tuple[int, str, dict]] = []

    def _record(self, etype: str, obj: dict) -> None:
        self.history.append((int(obj["metadata"]["resourceVersion"]), etype, copy.deepcopy(obj)))
        self.lock.notify_all()

    def _bump(self, obj: dict) -> dict:
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        return obj

    def create(self, ns: str, obj: dict) -> tuple[int, dict]:
        with self.lock:
            name = obj.get("metadata", {}).get("name")
            if not name:
                return 422, _status(422, "Invalid", "metadata.name is required")
            if (ns, name) in self.objects:
                return 409, _status(409, "AlreadyExists", f'configmaps "{name}" already exists')
            obj = copy.deepcopy(obj)
            meta = obj.setdefault("metadata", {})
            meta.update(namespace=ns, uid=str(uuid.uuid4()),
                        creationTimestamp=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            obj.setdefault("kind", "ConfigMap")
            obj.setdefault("apiVersion", "v1")
            self.objects[(ns, name)] = self._bump(obj)
            self._record("ADDED", obj)
            return 201, obj

    def get(self, ns: str, name: str) -> tuple[int, dict]:
        with self.lock:
            obj = self.objects.get((ns, name))
            if obj is None:
                return 404, _status(404, "NotFound", f'configmaps "{name}" not found')
            return 200, copy.deepcopy(obj)

    def replace(self, ns: str, name: str, obj: dict, patch: bool = False) -> tuple[int, dict]:
        with self.lock:
            cur = self.objects.get((ns, name))
            if cur is None:
                return 404, _status(404, "NotFound", f'configmaps "{name}" not found')
            new = _merge(cur, obj) if patch else copy.deepcopy(obj)
            want = (obj.get("metadata") or {}).get("resourceVersion")
            if want and want != cur["metadata"]["resourceVersion"]:
                return 409, _status(409, "Conflict", f'Operation cannot be fulfilled on configmaps "{name}": '
                                                    "the object has been modified")
            meta = new.setdefault("metadata", {})
            for keep in ("uid", "creationTimestamp", "namespace", "name"):
                meta[keep] = cur["metadata"][keep]
            new.setdefault("kind", "ConfigMap")
            new.setdefault("apiVersion", "v1")
            self.objects[(ns, name)] = self._bump(new)
            self._record("MODIFIED", new)
            return 200, copy.deepcopy(new)

    def delete(self, ns: str, name: str) -> tuple[int, dict]:
        with self.lock:
            cur = self.objects.pop((ns, name), None)
            if cur is None:
                return 404, _status(404, "NotFound", f'configmaps "{name}" not found')
            self._bump(cur)
            self._record("DELETED", cur)
            return 200, cur

    def listing(self, ns: str | None, labels: list, fields: list) -> dict:
        with self.lock:
            items = [copy.deepcopy(o) for (n, _), o in sorted(self.objects.items())
                     if (ns is None or n == ns) and _matches(o, labels, fields)]
            return {"kind": "ConfigMapList", "apiVersion": "v1",
                    "metadata": {"resourceVersion": str(self.rv)}, "items": items}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    store: Store = None  # set per server

    def log_message(self, fmt, *args):  # the harness's output stays readable
        pass

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def _route(self):
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        watch = q.get("watch") in ("true", "1")
        if parts[:3] == ["api", "v1", "watch"]:
            parts = ["api", "v1", *parts[3:]]
            watch = True
        ns = name = None
        if parts[:3] == ["api", "v1", "namespaces"] and len(parts) >= 5 and parts[4] == "configmaps":
            ns = parts[3]
            name = parts[5] if len(parts) > 5 else None
        elif parts == ["api", "v1", "configmaps"]:
            pass
        else:
            return None
        return ns, name, q, watch

    def do_GET(self):
        if self.path.startswith("/version"):
            return self._send(200, {"major": "1", "minor": "30", "gitVersion": "v1.30.0-flinkha-e2e"})
        r = self._route()
        if r is None:
            return self._send(404, _status(404, "NotFound", f"the server could not find {self.path}"))
        ns, name, q, watch = r
        labels = _selector(q.get("labelSelector", ""))
        fields = _selector(q.get("fieldSelector", ""))
        if name:
            fields.append(("metadata.name", "=", name))
        if watch:
            return self._watch(ns, labels, fields, int(q.get("resourceVersion") or 0))
        if name:
            return self._send(*self.store.get(ns, name))
        self._send(200, self.store.listing(ns, labels, fields))

    def do_POST(self):
        r = self._route()
        if r is None or r[1]:
            return self._send(405, _status(405, "MethodNotAllowed", self.path))
        self._send(*self.store.create(r[0], self._body()))

    def do_PUT(self):
        r = self._route()
        if r is None or not r[1]:
            return self._send(405, _status(405, "MethodNotAllowed", self.path))
        self._send(*self.store.replace(r[0], r[1], self._body()))

    def do_PATCH(self):
        r = self._route()
        if r is None or not r[1]:
            return self._send(405, _status(405, "MethodNotAllowed", self.path))
        if "merge-patch" not in (self.headers.get("Content-Type") or "") and \
                "strategic-merge-patch" not in (self.headers.get("Content-Type") or ""):
            return self._send(415, _status(415, "UnsupportedMediaType", "only merge patches"))
        self._send(*self.store.replace(r[0], r[1], self._body(), patch=True))

    def do_DELETE(self):
        r = self._route()
        if r is None:
            return self._send(404, _status(404, "NotFound", self.path))
        ns, name, q, _ = r
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if name:
            return self._send(*self.store.delete(ns, name))
        listing = self.store.listing(ns, _selector(q.get("labelSelector", "")), [])
        for o in listing["items"]:
            self.store.delete(ns, o["metadata"]["name"])
        self._send(200, listing)

    # ------------------------------------------------------------------ watches
    def _watch(self, ns, labels, fields, since: int) -> None:
        ws = (self.headers.get("Upgrade") or "").lower() == "websocket"
        if ws:
            accept = base64.b64encode(hashlib.sha1(
                (self.headers["Sec-WebSocket-Key"] + _WS_GUID).encode()).digest()).decode()
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept)
            self.end_headers()
            closed = threading.Event()
            threading.Thread(target=self._ws_reader, args=(closed,), daemon=True).start()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            closed = threading.Event()
        self.close_connection = True
        sent = 0
        store = self.store
        try:
            while not closed.is_set():
                with store.lock:
                    events = [(rv, t, o) for rv, t, o in store.history[sent:]]
                    sent = len(store.history)
                    if not events:
                        store.lock.wait(timeout=5)
                        continue
                for rv, etype, obj in events:
                    if rv <= since or (ns and obj["metadata"]["namespace"] != ns):
                        continue
                    if not _matches(obj, labels, fields):
                        continue
                    data = json.dumps({"type": etype, "object": obj}).encode()
                    if ws:
                        self._ws_send(0x1, data)
                    else:
                        line = data + b"\n"
                        self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def _ws_send(self, opcode: int, data: bytes) -> None:
        n = len(data)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([n])
        elif n < 65536:
            head += bytes([126]) + struct.pack("!H", n)
        else:
            head += bytes([127]) + struct.pack("!Q", n)
        with self._ws_lock:
            self.wfile.write(head + data)
            self.wfile.flush()

    _ws_lock = threading.Lock()

    def _ws_reader(self, closed: threading.Event) -> None:
        """Answers the client's pings and notices its close frame."""
        try:
            while True:
                head = self.rfile.read(2)
                if len(head) < 2:
                    break
                opcode, n = head[0] & 0x0F, head[1] & 0x7F
                if n == 126:
                    n = struct.unpack("!H", self.rfile.read(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self.rfile.read(8))[0]
                mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(n)))
                if opcode == 0x8:
                    try:
                        self._ws_send(0x8, payload[:2])
                    except OSError:
                        pass
                    break
                if opcode == 0x9:
                    self._ws_send(0xA, payload)
        except (OSError, struct.error):
            pass
        finally:
            closed.set()
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class ApiServer:
    """The stand-in on 127.0.0.1:port, served from daemon threads until `stop()`."""

    def __init__(self, port: int) -> None:
        self.store = Store()
        handler = type("Handler", (_Handler,), {"store": self.store, "_ws_lock": threading.Lock()})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = port

    def start(self) -> "ApiServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        with self.store.lock:
            self.store.lock.notify_all()

    def kubeconfig(self, path) -> None:
        path.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: e2e\n"
            f"clusters:\n- name: e2e\n  cluster:\n    server: http://127.0.0.1:{self.port}\n"
            "contexts:\n- name: e2e\n  context:\n    cluster: e2e\n    user: e2e\n    namespace: default\n"
            "users:\n- name: e2e\n  user:\n    token: flinkha-e2e\n")
