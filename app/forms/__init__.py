"""Form definitions (``forms/*.toml``), their validation and the WTForms classes built from them."""

from app.forms.builder import DefinitionForm, build_form_class
from app.forms.definitions import (
    FieldDefinition,
    FormDefinition,
    FormDefinitionError,
    SectionDefinition,
    describe_fields,
    load_form_definitions,
)
from app.forms.validation import ValidationResult, validate_data, validate_raw

__all__ = [
    "DefinitionForm",
    "FieldDefinition",
    "FormDefinition",
    "FormDefinitionError",
    "SectionDefinition",
    "ValidationResult",
    "build_form_class",
    "describe_fields",
    "load_form_definitions",
    "validate_data",
    "validate_raw",
]
