"""The admin command line, run as an operator runs it: a separate process on the same settings."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from shared import wiring
from shared.domain.accounts import store

ROOT = Path(__file__).resolve().parents[3]


def cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "APP_ENV": "test", "APP_STACK": "embedded", "REDIS_URL": "", "DATA_DIR": str(tmp_path),
           "QUEUE_BACKEND": "devhost", "MAIL_BACKEND": "outbox"}
    return subprocess.run([sys.executable, "-m", "shared.cli.admin", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def read_user(tmp_path: Path, username: str):
    async def read():
        from shared.adapters.documents_sqlite import SqliteDocuments

        docs = SqliteDocuments(tmp_path / "documents.sqlite3")
        wiring.override("documents", docs)
        try:
            user_id = await store.lookup("username", username)
            return await store.get_user(user_id) if user_id else None
        finally:
            await docs.close()
            wiring.reset()

    return asyncio.run(read())


def test_the_cli_creates_a_verified_administrator(tmp_path):
    done = cli(tmp_path, "create", "--username", "root_ops", "--email", "ops@example.com", "--password-stdin",
               stdin="sunflower-ladder-92\n")
    assert done.returncode == 0, done.stderr
    user = read_user(tmp_path, "root_ops")
    assert user["is_admin"] is True and user["status"] == "active"


def test_the_cli_refuses_a_weak_password_and_a_taken_username(tmp_path):
    weak = cli(tmp_path, "create", "--username", "root_ops", "--email", "ops@example.com", "--password-stdin",
               stdin="password1\n")
    assert weak.returncode == 1 and "common" in weak.stderr
    assert cli(tmp_path, "create", "--username", "root_ops", "--email", "a@example.com", "--password-stdin",
               stdin="sunflower-ladder-92\n").returncode == 0
    taken = cli(tmp_path, "create", "--username", "ROOT_OPS", "--email", "b@example.com", "--password-stdin",
                stdin="sunflower-ladder-92\n")
    assert taken.returncode == 1 and "taken" in taken.stderr


def test_the_cli_promotes_and_demotes_an_existing_account(tmp_path):
    assert cli(tmp_path, "create", "--username", "ops_one", "--email", "one@example.com", "--password-stdin",
               stdin="sunflower-ladder-92\n").returncode == 0
    demoted = cli(tmp_path, "demote", "one@example.com")
    assert demoted.returncode == 0, demoted.stderr
    assert read_user(tmp_path, "ops_one")["is_admin"] is False
    assert cli(tmp_path, "promote", "ops_one").returncode == 0
    assert read_user(tmp_path, "ops_one")["is_admin"] is True
    missing = cli(tmp_path, "promote", "nobody_here")
    assert missing.returncode == 1 and "No such account" in missing.stderr
