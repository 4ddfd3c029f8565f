"""Command line: ``python -m ovh_simulator serve`` and helpers that drive a running one.

Examples::

    python -m ovh_simulator serve --port 8099
    python -m ovh_simulator inject-sms --sender +33611111111 --message "hello"
    python -m ovh_simulator inject-sms --sender +33611111111 --message "hi" \
        --via http://127.0.0.1:8123   # push it to the account's cgiUrl, on that origin
    python -m ovh_simulator deliver --id 26929925 --dlr 1 --ptt 4
    python -m ovh_simulator deliver --via http://127.0.0.1:8123   # the newest sent SMS
    python -m ovh_simulator set-outcome --outcome failed          # the newest sent SMS
    python -m ovh_simulator set-outcome --default --outcome delivered --delay 30
    python -m ovh_simulator credits --set 50
    python -m ovh_simulator requests

Client sub-commands talk to ``--url`` (default ``$OVH_SIM_URL`` or
``http://127.0.0.1:8099``) through the unauthenticated ``/_sim/`` endpoints, with
the standard library only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from typing import Any
import urllib.error
import urllib.request

DEFAULT_PORT = 8099
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


class CliError(Exception):
    """A control call failed."""


def _call(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Send a JSON request to ``url + path`` and return the decoded answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - user-supplied local URL
        url.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace")
        raise CliError(f"HTTP {err.code}: {detail}") from None
    except urllib.error.URLError as err:
        raise CliError(f"cannot reach the simulator at {url}: {err.reason}") from None


async def _serve(host: str, port: int, demo: bool) -> None:
    from .server import OvhSimulator  # noqa: PLC0415 - keep client commands light
    from .state import (  # noqa: PLC0415
        DEMO_APPLICATION_KEY,
        DEMO_APPLICATION_SECRET,
        DEMO_CONSUMER_KEY,
        DEMO_NUMBER,
        DEMO_SERVICE,
    )

    sim = OvhSimulator(demo=demo)
    url = await sim.start(host, port)
    print(f"OVH API simulator on {url} (endpoint {sim.endpoint})")
    if demo:
        print(
            f"  application key    {DEMO_APPLICATION_KEY}\n"
            f"  application secret {DEMO_APPLICATION_SECRET}\n"
            f"  consumer key       {DEMO_CONSUMER_KEY}\n"
            f"  service            {DEMO_SERVICE}\n"
            f"  virtual number     {DEMO_NUMBER}"
        )
    print("Ctrl+C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sim.close()


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m ovh_simulator", description="OVH API v1 SMS simulator"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the simulator in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--no-demo", action="store_true", help="start without the demo account")

    client = argparse.ArgumentParser(add_help=False)
    client.add_argument(
        "--url",
        default=os.environ.get("OVH_SIM_URL", DEFAULT_URL),
        help="base URL of a running simulator (default $OVH_SIM_URL or %(default)s)",
    )

    inject = commands.add_parser(
        "inject-sms", parents=[client], help="receive an SMS on a virtual number"
    )
    inject.add_argument("--sender", required=True, help="E.164, e.g. +33611111111")
    inject.add_argument("--message", required=True)
    inject.add_argument("--tag", default="")
    inject.add_argument("--service", help="default: the first account")
    inject.add_argument("--number", help="default: the account's first number")
    inject.add_argument("--created", help="ISO 8601 datetime (default: now)")
    inject.add_argument(
        "--via",
        help="push to this origin instead of the smsResponse cgiUrl's (e.g. "
        "http://127.0.0.1:8123); the SMS is pushed only when the account's smsResponse "
        "is cgi with a cgiUrl",
    )

    deliver = commands.add_parser(
        "deliver", parents=[client], help="send a status callback for a sent SMS"
    )
    deliver.add_argument("--id", type=int, help="outgoing SMS id (default: the newest one sent)")
    deliver.add_argument(
        "--dlr",
        type=int,
        default=1,
        help="DLR id, sent as description: 1 delivered; 2 and 16 failed; 0, 4 and 8 "
        "pending (the integration shows any other value as unknown) (default: %(default)s)",
    )
    deliver.add_argument(
        "--ptt",
        type=int,
        default=4,
        help="operator code: 4 delivered, 1 to 3 in progress, most others failures "
        "(default: %(default)s)",
    )
    deliver.add_argument("--description-dlr", default="Success")
    deliver.add_argument(
        "--date", help="e.g. '2026-11-27 10:12:05' (default: now; OVH's format is assumed)"
    )
    deliver.add_argument(
        "--via",
        help="call this origin instead of the callBack URL's (e.g. http://127.0.0.1:8123)",
    )

    outcome = commands.add_parser(
        "set-outcome",
        parents=[client],
        help="set what a sent SMS becomes (GET .../outgoing/{id}), or every new one",
    )
    outcome.add_argument("--id", type=int, help="outgoing SMS id (default: the newest one sent)")
    outcome.add_argument(
        "--default",
        action="store_true",
        help="set what every SMS sent from now on becomes, --delay seconds after its send",
    )
    outcome.add_argument(
        "--outcome",
        required=True,
        choices=["pending", "buffered", "delivered", "failed"],
        help="deliveryReceipt/ptt: pending 0/0, buffered 8/3, delivered 1/4 (and "
        "deliveredAt), failed 2/5",
    )
    outcome.add_argument(
        "--delay",
        type=float,
        help="seconds from now (or from each send, with --default) before the SMS shows "
        "it (default: 0; 5 with --default)",
    )

    credits_cmd = commands.add_parser(
        "credits", parents=[client], help="show or set an account's credits"
    )
    credits_cmd.add_argument("--set", type=float, dest="value")
    credits_cmd.add_argument("--service", help="default: the first account")

    commands.add_parser("requests", parents=[client], help="print recorded requests")
    commands.add_parser("state", parents=[client], help="print accounts and messages")
    commands.add_parser("reset", parents=[client], help="restore the initial state")

    fault = commands.add_parser("fault", parents=[client], help="inject a fault")
    fault.add_argument("--method", default="*")
    fault.add_argument("--path", required=True, help="regex searched in the API path")
    fault.add_argument("--status", type=int)
    fault.add_argument("--delay", type=float, default=0.0)
    fault.add_argument("--drop", action="store_true")
    fault.add_argument("--count", type=int, default=1, help="0: until cleared")
    commands.add_parser("clear-faults", parents=[client], help="remove all faults")

    clock = commands.add_parser("clock", parents=[client], help="shift the clock")
    clock.add_argument("--offset", type=float, required=True, help="seconds")
    return parser


def _newest_outgoing_id(url: str) -> int:
    """Return the id of the newest SMS sent through the simulator (ids only grow)."""
    services = _call(url, "GET", "/_sim/state")["services"]
    ids: list[int] = [
        message["id"]
        for service in services.values()
        for number in service["numbers"].values()
        for message in number["outgoing"]
    ]
    if not ids:
        raise CliError("no SMS was sent yet: send one first, or give --id")
    return max(ids)


def _run_client(args: argparse.Namespace) -> None:
    url: str = args.url
    match args.command:
        case "inject-sms":
            body: dict[str, Any] = {
                "sender": args.sender,
                "message": args.message,
                "tag": args.tag,
            }
            for name in ("service", "number", "created", "via"):
                if getattr(args, name):
                    body[name] = getattr(args, name)
            _print_json(_call(url, "POST", "/_sim/incoming", body))
        case "deliver":
            body = {
                "id": _newest_outgoing_id(url) if args.id is None else args.id,
                "dlr": args.dlr,
                "ptt": args.ptt,
                "descriptionDlr": args.description_dlr,
            }
            if args.date:
                body["date"] = args.date
            if args.via:
                body["via"] = args.via
            _print_json(_call(url, "POST", "/_sim/deliver", body))
        case "set-outcome":
            if args.default:
                delay = 5.0 if args.delay is None else args.delay
                body = {"outcome": args.outcome, "delay": delay}
                _print_json(_call(url, "POST", "/_sim/delivery", body))
            else:
                message_id = _newest_outgoing_id(url) if args.id is None else args.id
                body = {"outcome": args.outcome, "delay": args.delay or 0.0}
                _print_json(_call(url, "POST", f"/_sim/outgoing/{message_id}", body))
        case "credits":
            body = {} if args.service is None else {"service": args.service}
            if args.value is None:
                query = "" if args.service is None else f"?service={args.service}"
                _print_json(_call(url, "GET", "/_sim/credits" + query))
            else:
                body["value"] = args.value
                _print_json(_call(url, "POST", "/_sim/credits", body))
        case "requests":
            for record in _call(url, "GET", "/_sim/requests"):
                body_text = "" if record["body"] is None else json.dumps(record["body"])
                print(
                    f"{record['method']:6} {record['status']!s:4} {record['raw_url']}"
                    + (f" {body_text}" if body_text else "")
                )
        case "state":
            _print_json(_call(url, "GET", "/_sim/state"))
        case "reset":
            _call(url, "POST", "/_sim/reset")
        case "fault":
            _call(
                url,
                "POST",
                "/_sim/faults",
                {
                    "method": args.method,
                    "path_regex": args.path,
                    "status": args.status,
                    "delay": args.delay,
                    "drop": args.drop,
                    "count": args.count or None,
                },
            )
        case "clear-faults":
            _call(url, "DELETE", "/_sim/faults")
        case "clock":
            _print_json(_call(url, "POST", "/_sim/clock", {"offset": args.offset}))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args.host, args.port, not args.no_demo))
        return 0
    try:
        _run_client(args)
    except CliError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
