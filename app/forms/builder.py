"""Building a fresh FlaskForm class from a form definition (one class per call)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf import FlaskForm

from app.forms.definitions import FormDefinition
from app.forms.fields import FIELD_CLASSES, DefinedField
from app.forms.messages import message
from app.forms.validation import ValidationResult, validate_raw


class DefinitionForm(FlaskForm):
    """Base of the generated forms. ``validate()`` = Flask-WTF checks (CSRF) + the shared rules."""

    definition: ClassVar[FormDefinition]
    locale: ClassVar[str] = "ja"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._result: ValidationResult | None = None

    @staticmethod
    def ui_text(key: str, locale: str = "ja", **params: Any) -> str:
        """A fixed UI text (badges, date-part labels ...) for the templates."""
        return message(key, locale, **params)

    def defined_fields(self) -> list[DefinedField]:
        return [self[f.name] for f in self.definition.fields]

    def validate(self, extra_validators: Any = None) -> bool:
        base_ok = super().validate(extra_validators)
        raw = {f.fdef.name: f.raw for f in self.defined_fields()}
        self._result = validate_raw(self.definition, raw, self.locale)
        for name, messages in self._result.errors.items():
            self[name].errors = [*self[name].errors, *messages]
        if self._result.ok:
            for field in self.defined_fields():
                field.data = self._result.clean[field.name]
        return base_ok and self._result.ok

    def clean_data(self) -> dict[str, Any]:
        """The clean values (same shape as ``ValidationResult.clean``); only after a successful
        ``validate()``."""
        if self._result is None or not self._result.ok or self.errors:
            raise RuntimeError("clean_data() is available only after validate() returned True")
        return dict(self._result.clean)

    def errors_by_field(self) -> dict[str, list[str]]:
        """Errors in form order, for the error summary; a CSRF failure is reported under the
        CSRF field's name with a translated message."""
        errors: dict[str, list[str]] = {}
        csrf_name = self.meta.csrf_field_name if self.meta.csrf else None
        if csrf_name and csrf_name in self._fields and self[csrf_name].errors:
            errors[csrf_name] = [message("csrf", self.locale)]
        for field in self.defined_fields():
            if field.errors:
                errors[field.name] = list(field.errors)
        return errors


def _class_name(definition: FormDefinition) -> str:
    words = "".join(part.title() for part in definition.key.split("_"))
    return f"{words}V{definition.version}Form"


def build_form_class(definition: FormDefinition, locale: str = "ja") -> type[DefinitionForm]:
    """The FlaskForm subclass for ``definition``; messages and labels in ``locale``.

    Instantiate it inside a request (CSRF needs the session); pass ``data={...}`` with clean
    values (ISO dates, lists of codes) to prefill.  Built once per definition's content and
    locale: a class holds no request's state, and building one took longer than validating.
    """
    key = (definition.key, definition.version, definition.content_hash, locale)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        if len(_FORM_CLASSES) >= _FORM_CLASSES_KEPT:
            _FORM_CLASSES.clear()
        form_class = _FORM_CLASSES[key] = _new_form_class(definition, locale)
    return form_class


_FORM_CLASSES: dict[tuple, type[DefinitionForm]] = {}  # (key, version, content hash, locale) -> class
_FORM_CLASSES_KEPT = 256


def _new_form_class(definition: FormDefinition, locale: str) -> type[DefinitionForm]:
    attrs: dict[str, Any] = {"definition": definition, "locale": locale}
    for fdef in definition.fields:
        field_class = FIELD_CLASSES[fdef.type]
        attrs[fdef.name] = field_class(fdef.label(locale), fdef=fdef, locale=locale)
    return type(_class_name(definition), (DefinitionForm,), attrs)
