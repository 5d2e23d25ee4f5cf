"""core.data_roots: the CSV-folder source reads only inside the operator's allowed roots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.data_roots import DataRootError, data_roots, is_deployed


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    root = tmp_path / "root"
    (root / "market").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "creds.csv").write_text("user,password\nadmin,hunter2\n", encoding="utf-8")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    other = tmp_path / "other"
    other.mkdir()
    return {"root": root, "outside": outside, "other": other}


def test_folders_inside_the_root_resolve_absolute_or_relative(tree) -> None:
    roots = data_roots({"SCX_DATA_ROOTS": str(tree["root"])})
    assert roots.roots == (tree["root"].resolve(),)
    assert roots.resolve("market") == (tree["root"] / "market").resolve()
    assert roots.resolve(str(tree["root"] / "market")) == (tree["root"] / "market").resolve()
    assert roots.resolve(".") == roots.resolve("") == tree["root"].resolve()


@pytest.mark.parametrize("typed", ["/etc", "..", "../outside", "market/../../outside", "escape", "/"])
def test_outside_the_root_is_refused_without_naming_server_paths(tree, typed: str) -> None:
    roots = data_roots({"SCX_DATA_ROOTS": str(tree["root"])})
    with pytest.raises(DataRootError, match="outside the folders this app may read") as err:
        roots.resolve(typed)
    assert str(tree["root"]) not in str(err.value)
    assert not roots.allowed(typed)


def test_several_roots_from_env_and_secrets(tree) -> None:
    env = {"SCX_DATA_DIR": str(tree["root"]), "SCX_DATA_ROOTS": os.pathsep.join([str(tree["other"]), "/no/such"])}
    roots = data_roots(env, extra=[str(tree["outside"])])
    assert roots.roots == (tree["root"].resolve(), tree["other"].resolve(), tree["outside"].resolve())
    assert roots.allowed(tree["outside"]) and roots.allowed("market") and not roots.allowed(tree["outside"] / "x")


def test_links_carry_root_relative_folders_only(tree) -> None:
    roots = data_roots({"SCX_DATA_ROOTS": str(tree["root"])})
    assert roots.link_value(str(tree["root"] / "market")) == "market"
    assert roots.link_value(str(tree["root"])) == "."
    assert roots.link_value(str(tree["outside"])) is None
    local = data_roots({}, app_dir=tree["other"])
    assert local.link_value(str(tree["root"] / "market")) is None  # no roots: no folder in links


def test_no_root_is_local_only(tree) -> None:
    local = data_roots({"SCX_DEPLOYED": "0"})
    assert local.enabled and local.resolve(str(tree["outside"])) == tree["outside"].resolve()
    deployed = data_roots({"SCX_DEPLOYED": "1"})
    assert not deployed.enabled
    with pytest.raises(DataRootError, match="off on this deployment"):
        deployed.resolve(str(tree["outside"]))
    # a deployment with a root reads inside it only
    served = data_roots({"SCX_DEPLOYED": "true", "SCX_DATA_DIR": str(tree["root"])})
    assert served.enabled and served.allowed("market") and not served.allowed(str(tree["outside"]))


def test_community_cloud_counts_as_deployed_unless_told_otherwise() -> None:
    cloud = Path("/mount/src/scx/streamlit_app.py")
    assert is_deployed({}, app_dir=cloud)
    assert not is_deployed({"SCX_DEPLOYED": "no"}, app_dir=cloud)
    assert not is_deployed({}, app_dir=Path("/home/me/scx"))
    assert is_deployed({"SCX_DEPLOYED": "yes"}, app_dir=Path("/home/me/scx"))


def test_a_missing_folder_inside_a_root_is_named_without_the_root(tree) -> None:
    roots = data_roots({"SCX_DATA_ROOTS": str(tree["root"])})
    with pytest.raises(DataRootError, match="no folder 'market/nope' inside the folders this app may read") as err:
        roots.resolve("market/nope")
    assert str(tree["root"]) not in str(err.value)


def test_nul_and_overlong_text_are_refused(tree) -> None:
    roots = data_roots({"SCX_DATA_ROOTS": str(tree["root"])})
    for typed in ("market\x00", "a/" * 600):
        with pytest.raises(DataRootError, match="not a usable path"):
            roots.resolve(typed)
