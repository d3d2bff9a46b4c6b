"""The environment descriptions stay in step: requirements.txt, environment.yml, pyproject.toml."""

import pathlib
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _requirements():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned_exactly():
    loose = [r for r in _requirements() if "==" not in r]
    assert not loose, f"pin exactly (==): {loose}"


def test_torch_is_pinned_to_the_local_cpu_wheel():
    assert "torch==2.13.0" in _requirements()


def test_environment_yml_pins_the_same_packages_as_requirements_txt():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert sorted(p for p in pip if p != "-e .") == sorted(_requirements())
    assert "-e ." in pip


def test_package_metadata_takes_torch_only_as_an_optional_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("torch") for dep in project["dependencies"])
    assert project["optional-dependencies"]["torch"] == ["torch>=2.3"]
