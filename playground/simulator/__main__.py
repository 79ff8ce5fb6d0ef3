"""Runs the simulator: `python -m playground.simulator --host 127.0.0.1 --port 8001`."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from playground.simulator.config import ConfigError, config_from_env
from playground.simulator.keys import load_keys
from playground.simulator.media import MediaStore
from playground.simulator.server import App, SimulatorServer
from playground.simulator.state import State


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m playground.simulator",
        description="A local simulator of the Starrise AI gateway (see docs/simulator.md).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    try:
        defaults = config_from_env(os.environ)
    except ConfigError as error:
        sys.exit(f"simulator: {error}")
    keys, source = load_keys(os.environ)
    server = SimulatorServer((args.host, args.port))
    port = server.server_address[1]
    public_url = os.environ.get("SIM_PUBLIC_URL") or f"http://{args.host}:{port}"
    media_dir = Path(os.environ.get("SIM_MEDIA_DIR") or "var/simulator-media")
    server.app = App(State(defaults), MediaStore(media_dir, public_url), keys)
    signal.signal(signal.SIGTERM, _stop)
    print(
        f"Starrise simulator on http://{args.host}:{port} (media at {public_url}/media/, "
        f"cache {media_dir}; accepting keys from {source})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
