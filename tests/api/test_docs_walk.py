"""docs/api.md is true: every `tsunagi` and `curl` command in it is run, in order, against the app.

The commands are read from the document's ```sh blocks (not copied here), so a path, a payload,
an id or a state that drifts from the API makes this test fail.  `$API` is the API root, the
header variables (`CW="Authorization: Bearer tsg_…naka_caseworker…"`) name whose token a call
carries, and the comment after a command states what it answers: a leading status code
(200 when none is given) and the values of well-known keys, compared with the answer.
The database is fresh, so ids are those the document shows.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# Keys whose documented values are compared with the answer (top level of an object answer, or
# the first element of a list answer).
CHECKED_KEYS = (
    "referral_id", "case_id", "ward", "state", "status", "assigned_to", "assignee", "opened_on", "closed_on",
    "closure_reason", "consent_to_refer", "cover_id", "type", "title", "detail", "event_type", "actor", "at",
    "actions", "ended", "task_id", "form_key", "absent_user", "cover_user",
)
SCALAR = r'("(?:[^"\\]|\\.)*"|-?\d+|true|false|null|\[[^\[\]{}]*\])'


@dataclass
class Command:
    line: str
    argv: list[str]
    comment: str = ""
    extra: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)


def commands(text: str) -> tuple[dict[str, str], list[Command]]:
    """Header variables (name → user) and the commands with the comments that follow them."""
    headers: dict[str, str] = {}
    found: list[Command] = []
    for block in _blocks(text):
        pending = ""
        for raw in block.splitlines():
            line = raw.strip()
            if not pending and line.startswith("#"):
                if found:
                    found[-1].comment += line.lstrip("# ") + "\n"
                continue
            if not pending and not line:
                continue
            if not pending and (match := re.match(r'^(\w+)="Authorization: Bearer tsg_…(\w+)…"$', line)):
                headers[match.group(1)] = match.group(2)
                continue
            if not pending and re.match(r'^\w+=', line):
                continue  # API=…, J=…
            pending += raw.rstrip("\\").rstrip() + "\n"
            code, comment, open_quote = _split_comment(pending)
            if open_quote or raw.rstrip().endswith("\\"):
                continue  # a quoted body or a continued line goes on
            found.append(Command(code.strip(), shlex.split(code), comment + "\n" if comment else ""))
            pending = ""
        assert not pending, f"unterminated command in docs/api.md: {pending}"
    return headers, found


def _split_comment(text: str) -> tuple[str, str, bool]:
    """(code, trailing comment, still inside a quote) as the shell reads it."""
    quote, previous = None, " "
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and previous.isspace():
            return text[:index], text[index + 1:].strip(), False
        previous = char
    return text, "", quote is not None


def _expected_status(comment: str) -> int:
    match = re.search(r"^\s*(\d{3})\b", comment, flags=re.MULTILINE)
    return int(match.group(1)) if match else 200


def _documented_values(comment: str) -> dict[str, object]:
    values = {}
    for key in CHECKED_KEYS:
        match = re.search(rf'"{key}": {SCALAR}', comment)
        if match:
            try:
                values[key] = json.loads(match.group(1))
            except ValueError:
                continue  # an elided value ("…")
    return values


def _run_curl(client, tokens: dict[str, str], headers: dict[str, str], command: Command):
    argv = command.argv
    assert argv[0] == "curl", command.line
    method, url, body, auth, json_type, literal = "GET", None, None, None, False, {}
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-s":
            pass
        elif arg == "-X":
            i += 1
            method = argv[i]
        elif arg == "-H":
            i += 1
            name = argv[i].lstrip("$")
            if name == "J":
                json_type = True
            elif ": " in argv[i]:  # a literal header, e.g. "Idempotency-Key: …"
                key, value = argv[i].split(": ", 1)
                literal[key] = value
            else:
                assert name in headers, f"unknown header variable ${name} in: {command.line}"
                auth = tokens[headers[name]]
        elif arg == "-d":
            i += 1
            body = argv[i]
        else:
            assert url is None and arg.startswith("$API/"), f"unexpected argument {arg!r} in: {command.line}"
            url = "/api/v1" + arg[len("$API"):]
        i += 1
    assert url and auth, command.line
    request_headers = {"Authorization": f"Bearer {auth}", **literal}
    if json_type:
        request_headers["Content-Type"] = "application/json"
    if body is not None and method == "GET":
        method = "POST"  # curl -d without -X posts
    return client.open(url, method=method, data=body, headers=request_headers)


def _check_answer(command: Command, response) -> list[str]:
    wrong = []
    status = _expected_status(command.comment)
    if response.status_code != status:
        answer = response.get_data(as_text=True)
        return [f"{command.line}\n  → {response.status_code}, the document says {status}: {answer}"]
    answer = response.get_json()
    if isinstance(answer, list) and command.comment.lstrip().startswith("["):
        answer = answer[0] if answer else {}
    if not isinstance(answer, dict):
        return wrong
    for key, value in _documented_values(command.comment).items():
        if key in answer and answer[key] != value:
            wrong.append(f"{command.line}\n  → {key} = {answer[key]!r}, the document says {value!r}")
    for name in re.findall(r'"errors": \{"(\w+)"', command.comment):
        if name not in (answer.get("errors") or {}):
            wrong.append(f"{command.line}\n  → no error for {name}: {answer}")
    return wrong


def test_every_command_of_the_api_walk_runs_as_documented(app, make_user):
    headers, found = commands(DOC.read_text(encoding="utf-8"))
    assert len(found) > 30, "the walk should have been found in docs/api.md"
    for name, role in (("naka_caseworker", "caseworker"), ("naka_caseworker2", "caseworker"),
                       ("naka_lead_worker", "lead_worker"), ("naka_section_chief", "section_chief"),
                       ("naka_budget_advisor", "budget_advisor"),
                       ("naka_employment_navigator", "employment_navigator")):
        make_user(name, role)
    runner, client = app.test_cli_runner(), app.test_client()
    tokens: dict[str, str] = {}
    problems: list[str] = []
    ran = {"tsunagi": 0, "curl": 0}
    for command in found:
        if command.argv[0] == "tsunagi":
            result = runner.invoke(args=command.argv[1:])
            assert result.exit_code == 0, f"{command.line}: {result.output}"
            ran["tsunagi"] += 1
            continue
        if not tokens:  # the walk's calls carry fresh tokens from the CLI, as a reader would make them
            for user in set(headers.values()):
                result = runner.invoke(args=["users", "token", user])
                assert result.exit_code == 0, result.output
                tokens[user] = result.stdout.strip().splitlines()[0]
        problems += _check_answer(command, _run_curl(client, tokens, headers, command))
        ran["curl"] += 1
    assert problems == [], "\n".join(problems)
    assert ran["tsunagi"] >= 4 and ran["curl"] >= 30, ran


def test_the_reader_parses_what_it_should():
    headers, found = commands(
        '```sh\nCW="Authorization: Bearer tsg_…naka_caseworker…"\n'
        "curl -s -X POST $API/tasks/2/complete -H \"$CW\" -H \"$J\" -d '{\"data\": {\n"
        '  "a": "# not a comment"}}\'\n# 422 {"state": "x", "errors": {"a": []}}\n'
        'curl -s "$API/tasks?case_id=1" -H "$CW"   # also: mine=true\n```\n')
    assert headers == {"CW": "naka_caseworker"}
    assert [c.argv[:4] for c in found] == [["curl", "-s", "-X", "POST"], ["curl", "-s", "$API/tasks?case_id=1", "-H"]]
    assert json.loads(found[0].argv[-1]) == {"data": {"a": "# not a comment"}}
    assert _expected_status(found[0].comment) == 422 and _documented_values(found[0].comment) == {"state": "x"}
    assert _expected_status(found[1].comment) == 200
