"""Accounts from the command line: `python -m tutor.auth COMMAND` (see --help).

    python -m tutor.auth add-user tess --instructor       # asks for the password twice
    python -m tutor.auth role alice@school.edu instructor  # e.g. an OIDC user after first sign-in
    python -m tutor.auth password alice                    # new password; ends her sign-ins
    python -m tutor.auth class-code                        # set the sign-up code (asked, stored hashed)
    python -m tutor.auth class-code --close                # close sign-up
    python -m tutor.auth set-passcode                      # personal mode: guard the instructor settings
    python -m tutor.auth unlock alice                      # forget her failed sign-in tries
    python -m tutor.auth users                             # who has an account (no hashes shown)

Secrets are read with getpass (never from the command line, where `ps` and the shell
history would keep them) unless --stdin is given (one line per secret, for scripts).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from tutor import auth
from tutor.config import get_settings
from tutor.errors import TutorError
from tutor.store import Store


def _secret(args: argparse.Namespace, prompt: str, confirm: bool = True) -> str:
    if args.stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != first:
        raise TutorError("The two entries differ.", "Run the command again.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.auth", description="Manage accounts and secrets.")
    parser.add_argument("--stdin", action="store_true", help="read secrets from standard input, one per line")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="create a local account (password asked)")
    add.add_argument("username", help="3-32 letters, digits, . _ -")
    add.add_argument("--instructor", action="store_true", help="give it the instructor role")
    add.add_argument("--name", default="", help="display name")
    role = sub.add_parser("role", help="set a user's role")
    role.add_argument("username", help="user name (an OIDC user's is their email)")
    role.add_argument("role", choices=["student", "instructor"], help="the new role")
    pw = sub.add_parser("password", help="set a local account's password (ends its sign-ins)")
    pw.add_argument("username", help="user name")
    code = sub.add_parser("class-code", help="set the class code students sign up with (stored hashed)")
    code.add_argument("--close", action="store_true", help="remove the code: sign-up is closed")
    passcode = sub.add_parser("set-passcode", help="personal mode: guard instructor settings with a passcode")
    passcode.add_argument("--remove", action="store_true", help="remove the passcode (settings open again)")
    unlock = sub.add_parser("unlock", help="forget a user's failed sign-in tries")
    unlock.add_argument("username", help="user name")
    sub.add_parser("users", help="list accounts (no hashes)")
    args = parser.parse_args(argv)
    store = Store(get_settings().db_path)
    try:
        if args.command == "add-user":
            user = auth.create_user(
                store, args.username, _secret(args, "Password: "), display_name=args.name,
                role="instructor" if args.instructor else "student",
            )  # fmt: skip
            print(f"Created {user.username} ({user.role}).")
        elif args.command == "role":
            print(f"{auth.set_role(store, args.username, args.role).username} is now {args.role}.")
        elif args.command == "password":
            auth.set_password(store, args.username, _secret(args, "New password: "))
            print("Password changed; every sign-in of that user has ended.")
        elif args.command == "class-code":
            auth.set_class_code(store, None if args.close else _secret(args, "Class code: "))
            print("Sign-up closed." if args.close else "Class code set (stored hashed): sign-up is open.")
        elif args.command == "set-passcode":
            auth.set_passcode(store, None if args.remove else _secret(args, "Passcode: "))
            print("Passcode removed." if args.remove else "Passcode set (stored hashed).")
        elif args.command == "unlock":
            auth.unlock(store, args.username)
            print(f"Failed tries of {args.username} forgotten.")
        else:
            for row in auth.list_users(store):
                print(f"{row['id']:>4}  {row['username']:<32} {row['role']:<10} {row['provider']:<8} "
                      f"last sign-in {row['last_login_at'] or 'never'}")  # fmt: skip
    except TutorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return 1
    return 0
