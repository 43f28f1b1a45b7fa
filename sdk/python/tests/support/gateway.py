"""A real gateway process for the tests: `node bin/ai-gateway-cli.js start --config <tmp> --port 0` (built by
`npx tsc -b`), with AI_GATEWAY_API_KEY set. Its URL comes from the "gateway listening" line it prints; its output is
kept so a test can read it. Also: the real CLI, to save contexts as a user would."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import unittest.mock
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ContextManager, Optional

from . import answers

REPO_ROOT = Path(__file__).resolve().parents[4]
CLI = REPO_ROOT / "bin" / "ai-gateway-cli.js"
ADMIN_KEY = "python-sdk-admin-key-5b1e"
# The longest the gateway may take to print its listening line before a test gives up on it (a bound, not a sleep).
START_TIMEOUT = 60.0

# Written the way a person writes it: comments, blank lines, flow lists; admin changes must keep all of it.
CONFIG = """# AI gateway for the ML team
version: 1

gateway:
  listen: 127.0.0.1:8080 # tests override the port
  logLevel: info

routes:
  # chat goes to the built-in mock
  - name: chat
    path: /v1/chat/completions   # OpenAI style
    methods: [POST]
    target: mock://openai
    timeout: 30s

security:
  - endpoint: /v1/chat/completions
    auth: none   # public while testing
    rateLimit: 1000/min
"""


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("node is not on PATH: the tests start the real gateway (Node 20)")
    if not (REPO_ROOT / "out" / "runtime" / "src" / "cli" / "entry.js").exists():
        raise RuntimeError(f"{REPO_ROOT}/out is not built: run `npx tsc -b` in {REPO_ROOT} first")
    return found


class GatewayProcess:
    def __init__(self, config: str = CONFIG, env: Optional[Mapping[str, Optional[str]]] = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="ai-gateway-py-"))
        self.file = self.dir / "gateway.yaml"
        self.file.write_text(config, encoding="utf-8")
        merged: dict[str, Optional[str]] = {**os.environ, "AI_GATEWAY_API_KEY": ADMIN_KEY, **(env or {})}
        child_env = {name: value for name, value in merged.items() if value is not None}
        command = [node(), str(CLI), "start", "--config", str(self.file), "--port", "0"]
        self._readers: list[threading.Thread] = []
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=child_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        atexit.register(self.stop)  # also when the run is ended early (tests/__init__.py turns SIGTERM into an interrupt)
        self.logs: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        lines: queue.Queue[Optional[dict[str, Any]]] = queue.Queue()
        self._readers += [
            threading.Thread(target=self._read_stdout, args=(lines,), daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        listening = self._wait_for_listening(lines)
        self.url: str = listening["url"]
        self.admin_url: str = listening["adminUrl"]
        answers.register_gateway(self.admin_url)

    def _read_stdout(self, lines: queue.Queue[Optional[dict[str, Any]]]) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:  # read to the end, so a chatty gateway never blocks on a full pipe
            try:
                line = json.loads(text)
            except ValueError:
                continue  # the start banner is for people
            if isinstance(line, dict):
                self.logs.append(line)
                lines.put(line)
        lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    def _wait_for_listening(self, lines: queue.Queue[Optional[dict[str, Any]]]) -> dict[str, Any]:
        while True:
            try:
                line = lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"the gateway printed no listening line within {START_TIMEOUT} s") from None
            if line is None:
                self.stop()
                raise RuntimeError(f"the gateway exited before listening: {''.join(self.stderr)}")
            if line.get("msg") == "gateway listening":
                return line

    def read_file(self) -> str:
        return self.file.read_text(encoding="utf-8")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        for reader in self._readers:
            reader.join(timeout=30)  # the pipes reach their end once the process is gone
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def environment(**changes: Optional[str]) -> Iterator[None]:
    """os.environ with `changes` (None removes a variable) for the length of a `with` block."""
    with unittest.mock.patch.dict(os.environ):
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield


def without_env_key() -> ContextManager[None]:
    """No AI_GATEWAY_API_KEY or AI_GATEWAY_URL in the environment, whatever the test process was started with."""
    return environment(AI_GATEWAY_API_KEY=None, AI_GATEWAY_URL=None)


def run_cli(args: list[str], env: Mapping[str, str]) -> str:
    """The real `ai-gateway-cli` with `args`; its stdout, or an error with what it printed."""
    done = subprocess.run([node(), str(CLI), *args], cwd=REPO_ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ai-gateway-cli {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout
