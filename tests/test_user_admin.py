"""Managing users: admins only (the first admin may be added by anyone), validated, audited."""

from __future__ import annotations

import pytest

from cli.main import main
from domain.enums import Role
from domain.errors import Refused
from domain.pipeline import DEFAULT_PIPELINE
from domain.services.user_admin import UserAdmin
from domain.session import Session


def admin_of(store, clock, user):
    return UserAdmin(Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=user))


def test_the_first_admin_bootstraps_then_only_admins_manage_users(store, make, clock):
    nobody = admin_of(store, clock, None)
    with pytest.raises(Refused, match="cannot manage users"):
        nobody.add("ray", "Ray Rep")  # not even the first user may be anything but an admin
    ada = nobody.add("ada", "Ada Admin", "admin")
    with pytest.raises(Refused, match=r"this session \(no Pantry user\) cannot manage users"):
        nobody.add("eve", "Eve", "admin")  # there is an admin now
    boss = admin_of(store, clock, ada)
    mia = boss.add("mia", "Mia Manager", "manager", team="North", region="East")
    ray = boss.add("ray", "Ray Rep", manager="mia", email="ray@example.com")
    assert (ray.manager_id, ray.role) == (mia.id, Role.REP)
    with pytest.raises(Refused, match=r"mia \(manager\) cannot manage users"):
        admin_of(store, clock, mia).change("ray", team="South")
    with pytest.raises(Refused, match="cannot manage users"):
        admin_of(store, clock, ray).add("rex", "Rex")
    assert [e.action.value for e in store.audit.find(table_name="user", order_by="id")] == ["create"] * 3


def test_bad_values_name_the_field_and_change_nothing(store, make, clock):
    ada = make.user(login="ada", role=Role.ADMIN)
    mia = make.user(login="mia", role=Role.MANAGER)
    make.user(login="ray", manager_id=mia.id)
    boss = admin_of(store, clock, ada)
    for call, message in (
        (lambda: boss.add("Bad Login", "X"), "login: String should match pattern"),
        (lambda: boss.add("ray", "Again"), "login: 'ray' is taken"),
        (lambda: boss.add("rex", "Rex", "boss"), "role: must be one of"),
        (lambda: boss.add("rex", "Rex", manager="ray"), "manager: ray is a rep"),
        (lambda: boss.add("rex", "Rex", manager="nobody"), "manager: no user with login 'nobody'"),
        (lambda: boss.add("rex", "", email="rex@example.com"), "name: "),
        (lambda: boss.change("mia", role="rep"), "role: mia still leads a team"),
        (lambda: boss.change("ray", manager="ray"), "manager: ray cannot be their own manager"),
        (lambda: boss.change("ada", active=False), "cannot take away your own admin rights"),
        (lambda: boss.change("ghost", team="x"), "user: no user with login 'ghost'"),
    ):
        with pytest.raises(Refused, match=message):
            call()
    assert store.user_by_login("rex") is None and store.user_by_login("mia").role is Role.MANAGER
    assert store.audit.find(table_name="user") == []


def test_changes_are_versioned_and_audited(store, make, clock):
    ada = make.user(login="ada", role=Role.ADMIN)
    mia = make.user(login="mia", role=Role.MANAGER)
    ray = make.user(login="ray")
    boss = admin_of(store, clock, ada)
    moved = boss.change("ray", manager="mia", team="North", active=False)
    assert (moved.manager_id, moved.team, moved.active, moved.version) == (mia.id, "North", False, ray.version + 1)
    entries = {(e.field, e.old_value, e.new_value) for e in store.audit.find(table_name="user")}
    assert entries == {("manager_id", None, str(mia.id)), ("team", "", "North"), ("active", "True", "False")}
    assert boss.change("ray", manager="").manager_id is None


def test_cli_user_commands_and_export_is_for_admins(database_url, store, make, capsys):
    make.user(login="ray")
    assert main(["user", "add", "ada", "--name", "Ada", "--role", "admin", "--db", database_url]) == 0
    assert main(["user", "add", "mia", "--name", "Mia", "--role", "manager", "--db", database_url, "--as", "ada"]) == 0
    assert main(["user", "set", "ray", "--manager", "mia", "--db", database_url, "--as", "ada"]) == 0
    assert main(["user", "set", "ray", "--db", database_url, "--as", "ada"]) == 2  # nothing to change
    assert main(["export", "users", "--db", database_url, "--as", "mia"]) == 1
    out, err = capsys.readouterr()
    assert "mia (manager) cannot export" in err and "pantry list users --format csv" in err
    assert main(["export", "users", "--db", database_url, "--as", "ada"]) == 0
    assert "ray" in capsys.readouterr().out
