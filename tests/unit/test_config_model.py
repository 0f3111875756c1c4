"""Config declared once (issue 19 item 3): one model, help on each field, errors worded without per-key branches."""

import ast
from pathlib import Path

import components.config as config
from components.config import Settings, config_keys
from components.config.fields import help_of

PACKAGE = Path(config.__file__).parent


def test_one_settings_model_and_no_mirror():
    assert config.Settings is Settings and not hasattr(config, "StackConfig")
    classes = [
        node.name
        for path in PACKAGE.glob("*.py")
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ClassDef)
    ]
    assert len(classes) == len(set(classes)) and classes.count("Settings") == 1


def test_every_key_is_a_generated_camel_case_alias_with_help_on_its_field():
    for name, field in Settings.model_fields.items():
        help = help_of(field)
        assert field.alias == name.split("_")[0] + "".join(w.title() for w in name.split("_")[1:]), name
        assert help["allowed"], f"{name} has no description"
        if not help.get("engine"):
            assert help["fix"], f"{name} has no fix"
    assert "homeRegion" not in config_keys() and "project" not in config_keys()
    assert {"release", "snapStart", "provisionedConcurrency"} <= set(config_keys())


def test_the_error_renderer_and_key_checks_name_no_key():
    """Words come from pydantic's error type and the field's help, never from a branch on a key."""
    for module in ("render.py", "keys.py", "load.py"):
        literals = {
            node.value
            for node in ast.walk(ast.parse((PACKAGE / module).read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not literals & set(config_keys()), (module, literals & set(config_keys()))


def test_no_module_of_the_package_is_long():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 300, path.name
