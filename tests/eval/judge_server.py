"""A local OpenAI-compatible judge for the eval tests: real HTTP on 127.0.0.1, so the real `openai` client is used.

Replies are scripted by the request key the client sends (`X-Hermes-Request: mtbench|QID|judge/turnT|ATTEMPT`):
question ids containing `garbled` never get a `[[rating]]`, `flaky` ones get one only from the second attempt on,
`broken` ones answer HTTP 500. Every other judgment rates from a hash of the judged prompt, so different answers
(different checkpoints) get different, reproducible scores. Requests are kept in `requests` for inspection.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def rating_for(prompt: str) -> int:
    return 1 + int(hashlib.sha256(prompt.encode()).hexdigest(), 16) % 10


class JudgeServer:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                key = self.headers.get("x-hermes-request", "")
                server.requests.append({"key": key, "body": body, "auth": self.headers.get("authorization")})
                status, content = server.reply(key, body)
                payload = {
                    "id": "chatcmpl-judge",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                }
                data = json.dumps(payload if status == 200 else {"error": {"message": content}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def reply(self, key: str, body: dict) -> tuple[int, str]:
        _, qid, _, attempt = (key.split("|") + ["", "", "", "0"])[:4]
        if "broken" in qid:
            return 500, "judge exploded"
        if "garbled" in qid or ("flaky" in qid and attempt == "0"):
            return 200, "The answer is fine. Rating: 7/10"
        prompt = body["messages"][-1]["content"]
        return 200, f"The answer is somewhat helpful. Rating: [[{rating_for(prompt)}]]"

    def __enter__(self) -> JudgeServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
