"""Staff accounts."""

from __future__ import annotations

import re

from app.codes import ROLES, WARDS
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import User

# An address a mail relay will take: ASCII dot-atoms on both sides of one "@", a dotted domain.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def check_email(value: str) -> str:
    """The address, stripped, or ValidationFailed when a mail relay would not take it."""
    address = value.strip()
    local, _, domain = address.rpartition("@")
    labels = domain.split(".")
    if (
        len(address) > 254
        or not _LOCAL.fullmatch(local)
        or len(local) > 64
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationFailed({"email": [f"メールアドレスの形式が正しくありません: {value}"]})
    return address


def authenticate(username: str, password: str) -> User | None:
    user = db.session.query(User).filter_by(username=username.strip()).first()
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(username: str, roles: list[str], ward: str | None, password: str,
                display_name: str | None = None, email: str | None = None) -> User:
    errors: dict[str, list[str]] = {}
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        errors["role"] = [f"ロールのコードが正しくありません: {', '.join(unknown) or '（なし）'}"]
    if ward is not None and ward not in WARDS:
        errors["ward"] = [f"区のコードが正しくありません: {ward}"]
    if len(password) < 8:
        errors["password"] = ["パスワードは8文字以上にしてください"]
    if db.session.query(User).filter_by(username=username).first() is not None:
        errors["username"] = [f"ユーザー名 {username} は既に使われています"]
    if email is not None:
        try:
            email = check_email(email)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=display_name or username, role_codes=" ".join(roles), ward=ward,
                email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def set_email(username: str, email: str | None) -> User:
    """Set (or, with None, remove) where the user's notification mail goes.

    While email is on, an alert raised when the user had no address is passed over for good (it
    stays in お知らせ): an address added later brings mail for later alerts only.
    """
    user = db.session.query(User).filter_by(username=username).first()
    if user is None:
        raise NotFound(f"ユーザー {username} は存在しません")
    user.email = check_email(email) if email is not None else None
    db.session.commit()
    return user


def _named(username: str) -> User:
    user = db.session.query(User).filter_by(username=username).first()
    if user is None:
        raise NotFound(f"ユーザー {username} は存在しません")
    return user


def set_password(username: str, password: str) -> User:
    """A new password ends every login session of the user (whoever knew the old one is out)."""
    if len(password) < 8:
        raise ValidationFailed({"password": ["パスワードは8文字以上にしてください"]})
    user = _named(username)
    user.set_password(password)
    user.session_generation += 1
    db.session.commit()
    return user


def set_active(username: str, active: bool) -> User:
    """Deactivation ends every login session at once; the API refuses the user's tokens too."""
    user = _named(username)
    user.active = active
    if not active:
        user.session_generation += 1
    db.session.commit()
    return user
