"""Config files and environment variables with bad values: one clear line naming the file and
the setting, exit code 2, for every command; good values take effect in the documented order."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import assistant.backends
from assistant.config import load_settings
from assistant.errors import ConfigError
from cli import app
from tests.fakes import RecordingFakeModel, answers, question_answer

POST = "CloudSync Pro is out: sync is 50% faster. What will you sync first?"
QUESTION = question_answer("CloudSync Pro syncs 50% faster. What will you sync first?")

runner = CliRunner()


@pytest.fixture
def config_file(isolated_dirs):
    return isolated_dirs[0] / "config.toml"


@pytest.fixture
def fake(monkeypatch):
    model = RecordingFakeModel(responses=answers(QUESTION) * 20)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    return model


@pytest.fixture
def post(tmp_path):
    path = tmp_path / "post.txt"
    path.write_text(POST, encoding="utf-8")
    return path


def commands(post):
    return {
        "config": ["config"],
        "config --json": ["config", "--json"],
        "critique": ["critique", str(post)],
        "rewrite": ["rewrite", str(post), "-p", "question"],
        "replies": ["replies", str(post)],
        "playbooks": ["playbooks"],
    }


BAD_FILES = [
    pytest.param("model = ", "not valid TOML", id="bad-toml"),
    pytest.param('model = "a"\nmodel = "b"', "not valid TOML", id="duplicate-key"),
    pytest.param(b"platform = 'caf\xe9'", "not valid TOML", id="not-utf8"),
    pytest.param('timeout = "fast"', "timeout must be a number, not 'fast'", id="timeout-str"),
    pytest.param("timeout = true", "timeout must be a number, not True", id="timeout-bool"),
    pytest.param("timeout = -5", "timeout must be a positive number of seconds", id="negative"),
    pytest.param("timeout = 0", "timeout must be a positive number of seconds", id="zero"),
    pytest.param("timeout = nan", "not nan", id="timeout-nan"),
    pytest.param("timeout = inf", "not inf", id="timeout-inf"),
    pytest.param("max_retries = 1.5", "max_retries must be an integer, not 1.5", id="retries"),
    pytest.param("max_retries = -1", "max_retries must be 0 or more", id="retries-neg"),
    pytest.param("model = 42", "model must be a string, not 42", id="model-type"),
    pytest.param('model = "gpt-4o"', "bad model 'gpt-4o': use 'embedded' or 'openai/<model>'", id="model"),
    pytest.param('model = "openai/"', "bad model 'openai/'", id="model-no-name"),
    pytest.param('model = "anthropic/claude"', "bad model 'anthropic/claude'", id="provider"),
    pytest.param('platform = "myspace"', "unknown platform 'myspace'; choose one of: x,", id="platform"),
    pytest.param('modle = "embedded"', "unknown setting 'modle' (did you mean 'model'?", id="typo"),
    pytest.param("[extras]\nx = 1", "unknown setting 'extras'", id="unknown-table"),
    pytest.param('disable_rules = "hype.superlative"', "disable_rules must be a list of strings", id="list"),
    pytest.param("disable_rules = [1, 2]", "disable_rules must be a list of strings", id="list-items"),
    pytest.param('brand = "CloudSync"', "[brand] must be a table", id="brand-str"),
    pytest.param('[brand]\nvoise = "x"', "unknown brand setting 'voise' (did you mean 'voice'?", id="brand-key"),
    pytest.param("[brand]\nname = 3", "brand.name must be a string", id="brand-name"),
    pytest.param('[brand]\navoid = "synergy"', "brand.avoid must be a list of strings", id="brand-avoid"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
@pytest.mark.parametrize("command", ["config", "config --json", "critique", "rewrite", "replies"])
def test_a_bad_config_file_is_one_line_naming_file_and_setting(
    fake, post, config_file, command, content, message
):
    raw = content.encode("utf-8") if isinstance(content, str) else content
    config_file.write_bytes(raw)
    result = runner.invoke(app, commands(post)[command])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"draft: error: {config_file}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert fake.calls == []


def test_a_folder_named_config_toml_is_one_line(post, config_file):
    config_file.mkdir()
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"draft: error: {config_file}: cannot read the config file (Is a directory)\n"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DRAFT_MODEL": "gpt-4o"}, "bad model 'gpt-4o'"),
        ({"DRAFT_PLATFORM": "myspace"}, "unknown platform 'myspace'"),
    ],
)
@pytest.mark.parametrize("command", ["config", "critique", "rewrite"])
def test_a_bad_environment_variable_is_one_line(fake, post, monkeypatch, command, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, commands(post)[command])
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert fake.calls == []


@pytest.mark.parametrize(
    ("content", "command", "message"),
    [
        ('playbooks_dir = "{tmp}/no-such-folder"', "rewrite", "playbooks folder not found"),
        ('playbooks_dir = "{tmp}/no-such-folder"', "playbooks", "playbooks folder not found"),
        ('rules_dir = "{tmp}/no-such-folder"', "critique", "does not exist"),
        ('rules_dir = "{tmp}/no-such-folder"', "rewrite", "does not exist"),
        ('disable_rules = ["no.such-rule"]', "critique", "cannot disable unknown rule"),
        ('disable_rules = ["no.such-rule"]', "rewrite", "cannot disable unknown rule"),
    ],
)
def test_folders_and_rules_that_do_not_exist_fail_before_the_model(
    fake, post, tmp_path, config_file, content, command, message
):
    config_file.write_text(content.format(tmp=tmp_path), encoding="utf-8")
    result = runner.invoke(app, commands(post)[command])
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert fake.calls == []  # the model never ran


def test_a_good_config_file_takes_effect(config_file):
    config_file.write_text(
        'model = "openai/llama3.1"\nbase_url = "http://127.0.0.1:9/v1"\ntimeout = 2.5\n'
        'max_retries = 0\nplatform = "twitter"\ndisable_rules = ["hype.superlative"]\n'
        '[brand]\nname = "CloudSync"\navoid = ["synergy"]\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["config", "--json"])
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["config_file"] == str(config_file)
    assert shown["model"] == "openai/llama3.1" and shown["timeout"] == 2.5
    assert shown["max_retries"] == 0 and shown["platform"] == "twitter"
    assert shown["disable_rules"] == ["hype.superlative"]
    assert shown["brand"]["name"] == "CloudSync" and shown["brand"]["avoid"] == ["synergy"]


def test_flags_beat_environment_beat_file(config_file):
    config_file.write_text('platform = "linkedin"\nmodel = "openai/from-file"\n', encoding="utf-8")
    env = {"DRAFT_PLATFORM": "instagram"}
    assert load_settings(env={}).platform == "linkedin"
    assert load_settings(env=env).platform == "instagram"
    assert load_settings({"platform": "threads"}, env=env).platform == "threads"
    assert load_settings({"model": None}, env={}).model == "openai/from-file"  # None: not given


def test_flags_are_checked_like_the_file():
    with pytest.raises(ConfigError, match="bad model 'gpt-4o'"):
        load_settings({"model": "gpt-4o"}, env={})
    with pytest.raises(ConfigError, match="unknown platform 'myspace'"):
        load_settings({"platform": "myspace"}, env={})


def test_no_config_file_is_fine(isolated_dirs):
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0 and "model = embedded" in result.stdout
