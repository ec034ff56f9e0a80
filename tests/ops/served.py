"""`openroster serve` as a real process on a free port, its log lines collected while it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.conftest import free_port
from tests.ops.settings_cli import CLEAN
from tests.test_cli import wait_for


class Served:
    def __init__(self, args: list[str], cwd: Path | None = None, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "openroster", "serve", "--port", str(self.port), *args],
            cwd=cwd,
            env={**os.environ, **CLEAN, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr))
        ]
        for reader in self._readers:
            reader.start()
        wait_for(self.url + "/")

    @staticmethod
    def _collect(stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    def stop(self) -> str:
        """Stop the server; everything it wrote, stdout then stderr."""
        self.process.terminate()
        self.process.wait(timeout=30)
        for reader in self._readers:
            reader.join(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return "".join(self.stdout) + "".join(self.stderr)

    def json_lines(self) -> list[dict[str, Any]]:
        """The log lines (stderr), each of which must be one JSON object."""
        return [json.loads(line) for line in self.stderr if line.strip()]
