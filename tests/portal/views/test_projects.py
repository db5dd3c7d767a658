"""Projects page: listing, creating, renaming and deleting projects; members and roles."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from buildtrace_assets.services import projects, users
from tests.portal.support import PASSWORD, People, PortalEnv, labelled, texts

OpenApp = Callable[..., AppTest]


def test_a_member_sees_their_projects_and_role_but_not_other_organizations(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer)

    assert list(app.dataframe[0].value["name"]) == ["Tower"]
    assert app.header[0].value == "Tower"
    assert "Your role: **viewer**" in texts(app.caption)
    assert list(app.dataframe[1].value["e-mail"]) == ["editor@acme.test", "owner@acme.test", "viewer@acme.test"]


def test_creating_a_project_makes_the_creator_its_owner(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer)
    labelled(app.text_input, "Name").input("Annex")
    labelled(app.button, "Create project").click()
    app.run()

    assert "Project 'Annex' created; you are its owner." in texts(app.success)
    assert sorted(app.dataframe[0].value["name"]) == ["Annex", "Tower"]
    assert app.header[0].value == "Annex"
    assert "Your role: **owner**" in texts(app.caption)


def test_a_project_without_a_name_is_refused(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer)
    labelled(app.button, "Create project").click()
    app.run()

    assert texts(app.error) == ["project name must not be empty"]


def test_an_editor_renames_but_cannot_manage_members_or_delete(open_app: OpenApp, people: People) -> None:
    app = open_app(people.editor)
    labelled(app.text_input, "Project name").input("Tower B")
    labelled(app.button, "Rename").click()
    app.run()

    assert app.header[0].value == "Tower B"
    labels = [button.label for button in app.button]
    assert "Add member" not in labels and "Delete project" not in labels


def test_a_viewer_cannot_change_anything(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer)

    assert [button.label for button in app.main.button] == ["Create project"]
    assert [field.label for field in app.text_input] == ["Name"]


def test_the_owner_adds_a_member_of_the_organization(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    portal_env.run(lambda s: users.create_user(s, "new@acme.test", PASSWORD, organization="Acme"))
    app = open_app(people.owner)
    labelled(app.text_input, "Member e-mail").input("new@acme.test")
    labelled(app.selectbox, "Role").set_value("editor")
    labelled(app.button, "Add member").click()
    app.run()

    roster = dict(zip(app.dataframe[1].value["e-mail"], app.dataframe[1].value["role"], strict=True))
    assert roster["new@acme.test"] == "editor"


def test_people_of_other_organizations_cannot_be_added(open_app: OpenApp, people: People) -> None:
    app = open_app(people.owner)
    labelled(app.text_input, "Member e-mail").input("someone@rival.test")
    labelled(app.button, "Add member").click()
    app.run()

    assert texts(app.error) == ["no active user with e-mail someone@rival.test in this organization"]


def test_the_last_owner_cannot_step_down(open_app: OpenApp, people: People) -> None:
    app = open_app(people.owner)
    member = labelled(app.selectbox, "Member")
    member.set_value(next(option for option in member.options if "owner@acme.test" in option))
    labelled(app.selectbox, "New role").set_value("viewer")
    labelled(app.button, "Change role").click()
    app.run()

    assert texts(app.error) == ["a project keeps at least one owner"]


def test_the_owner_removes_a_member(open_app: OpenApp, people: People) -> None:
    app = open_app(people.owner)
    member = labelled(app.selectbox, "Member")
    member.set_value(next(option for option in member.options if "viewer@acme.test" in option))
    labelled(app.button, "Remove member").click()
    app.run()

    assert "viewer@acme.test" not in list(app.dataframe[1].value["e-mail"])


def test_deleting_needs_the_typed_name_then_removes_the_project(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    app = open_app(people.owner)
    assert labelled(app.button, "Delete project").disabled

    labelled(app.text_input, "Type the project name (Tower) to delete it and everything in it").input("Tower")
    app.run()
    labelled(app.button, "Delete project").click()
    app.run()

    assert portal_env.run(lambda s: list(projects.list_projects(s, people.owner))) == []
    assert texts(app.info)[0].startswith("No projects yet: create your first one with “New project” above.")


def test_an_outsider_following_a_link_sees_nothing_of_the_project(open_app: OpenApp, people: People) -> None:
    app = open_app(people.outsider, project_id=people.project_id)

    assert texts(app.error) == ["Project not found."]
    assert not app.header
    assert "Tower" not in str([element.value for element in app.dataframe])


def test_a_first_project_created_replaces_the_empty_state(open_app: OpenApp, people: People) -> None:
    app = open_app(people.owner)
    labelled(app.text_input, "Type the project name (Tower) to delete it and everything in it").input("Tower")
    app.run()
    labelled(app.button, "Delete project").click()
    app.run()
    assert texts(app.info)[0].startswith("No projects yet")

    labelled(app.text_input, "Name").input("Annex")
    labelled(app.button, "Create project").click()
    app.run()

    assert "Project 'Annex' created; you are its owner." in texts(app.success)
    assert not any("No projects yet" in text for text in texts(app.info))
    assert list(app.dataframe[0].value["name"]) == ["Annex"]
    assert app.header[0].value == "Annex"
