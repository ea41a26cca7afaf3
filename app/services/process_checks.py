"""Checks run before a diagram reaches caseworkers (`tsunagi processes check`)."""

from __future__ import annotations

from flask import current_app

from app.codes import ROLES
from app.engine import EngineError, ProcessProblem
from app.forms import load_form_definitions

from .processes import read_process_files
from .runtime import engine


def check_directory() -> list[ProcessProblem]:
    config = current_app.config
    problems: list[ProcessProblem] = []
    try:
        forms = load_form_definitions(config["FORMS_DIR"])
    except Exception as exc:  # FormDefinitionError names the file and field
        return [ProcessProblem(str(exc), file="forms/")]
    files = read_process_files(config["PROCESSES_DIR"])
    try:
        engine().parse(files, config["MAIN_PROCESS_ID"])
    except EngineError as exc:
        return [ProcessProblem(str(exc), exc.element_id, "processes/")]
    problems.extend(engine().script_problems(files, config["MAIN_PROCESS_ID"]))
    for info in engine().user_task_specs(files, config["MAIN_PROCESS_ID"]):
        if not info.form_key:
            problems.append(ProcessProblem("user task has no formKey", info.bpmn_id))
        elif info.form_key not in forms:
            problems.append(ProcessProblem(f"unknown form key {info.form_key}", info.bpmn_id))
        for role in (info.role or "").split() or [None]:
            if role not in ROLES:
                problems.append(ProcessProblem(f"unknown role {role}", info.bpmn_id))
    return problems
