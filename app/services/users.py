"""Staff accounts."""

from __future__ import annotations

from app.codes import ROLES, WARDS
from app.extensions import db
from app.models import User

from .errors import ValidationFailed


def authenticate(username: str, password: str) -> User | None:
    user = db.session.query(User).filter_by(username=username.strip()).first()
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(username: str, roles: list[str], ward: str | None, password: str,
                display_name: str | None = None) -> User:
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
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=display_name or username, role_codes=" ".join(roles), ward=ward)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user
