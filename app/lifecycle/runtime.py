"""The process engine of this app, made once by create_app."""

from __future__ import annotations

from flask import Flask, current_app

from app.engine import ProcessEngine


def init_engine(app: Flask) -> None:
    delivery_roles = dict(app.config["DELIVERY_ROLES"])

    def services_for_role(services, role):
        return [s for s in (services or []) if delivery_roles.get(s, "provider") == role]

    app.extensions["tsunagi.engine"] = ProcessEngine({"services_for_role": services_for_role})


def engine() -> ProcessEngine:
    return current_app.extensions["tsunagi.engine"]
