"""Create or promote administrators: the only way anyone becomes one (no API does it).

    python -m shared.cli.admin create --username root_admin --email ops@example.com   # asks for the password
    echo "$PASSWORD" | python -m shared.cli.admin create --username root_admin --email ops@example.com --password-stdin
    python -m shared.cli.admin promote alice          # username, email or user id
    python -m shared.cli.admin demote alice

It uses the app's settings (environment, then local.settings.json), so it acts on whichever stack they name.
Live sessions of a promoted or demoted account follow at once when sessions live in a shared Redis; with the
embedded stack's in-process store, the account logs in again to pick it up.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from shared import errors, wiring


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("The passwords differ.")
    return first


async def _run(args: argparse.Namespace) -> str:
    from shared.domain.accounts import admin

    try:
        if args.command == "create":
            user_id = await admin.do_create_admin(args.username, args.email, _read_password(args.password_stdin))
            return f"created administrator {args.username} ({user_id})"
        user = await admin.do_set_admin(args.identifier, args.command == "promote")
        return f"{user['username']} ({user['id']}) is {'now' if user['is_admin'] else 'no longer'} an administrator"
    finally:
        await wiring.close_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.cli.admin", description=(__doc__ or "").split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a verified administrator account")
    create.add_argument("--username", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    for name in ("promote", "demote"):
        command = commands.add_parser(name, help=f"{name} an existing account")
        command.add_argument("identifier", help="username, email address or user id")
    args = parser.parse_args(argv)
    try:
        print(asyncio.run(_run(args)))
    except errors.AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
