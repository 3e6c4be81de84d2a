"""Drives a running Castellan with ZITADEL's official Python SDK (`zitadel-client` v4), unchanged.

Usage: sdk_identity.py <base url> <personal access token> <org id of the caller>

Walks the identity core the way an SDK user would: human and machine users through their whole
lifecycle, a project with roles, an OIDC application, an authorization, and settings read at
instance level and overridden for an org (the override is written through ZITADEL's management v1
REST endpoint, which the v2 SDK has no method for). Every step asserts what came back. Prints one
JSON line with the ids it created; exits non-zero on the first failed assertion or API error.
"""

import json
import sys
import time
import urllib.request

from zitadel_client import Zitadel
from zitadel_client.exceptions import ApiError
from zitadel_client.models import (
    ApplicationServiceCreateApplicationRequest,
    ApplicationServiceGetApplicationRequest,
    AuthorizationServiceCreateAuthorizationRequest,
    AuthorizationServiceListAuthorizationsRequest,
    ProjectServiceAddProjectRoleRequest,
    ProjectServiceCreateProjectRequest,
    ProjectServiceGetProjectRequest,
    ProjectServiceListProjectRolesRequest,
    SettingsServiceGetLoginSettingsRequest,
    SettingsServiceGetPasswordComplexitySettingsRequest,
    UserServiceCreateUserRequest,
    UserServiceDeactivateUserRequest,
    UserServiceDeleteUserRequest,
    UserServiceGetUserByIDRequest,
    UserServiceListUsersRequest,
    UserServiceLockUserRequest,
    UserServiceReactivateUserRequest,
    UserServiceUnlockUserRequest,
    UserServiceUpdateUserRequest,
)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_error(call, code, what):
    try:
        call()
    except ApiError as error:
        check(error.code == code, f"{what}: HTTP {error.code} {error.response_body}, want {code}")
        return
    raise AssertionError(f"{what}: succeeded, want HTTP {code}")


def enum_name(value):
    return getattr(value, "value", value)


def main():
    base_url, token, org_id = sys.argv[1], sys.argv[2], sys.argv[3]
    zitadel = Zitadel.with_access_token(base_url, token)
    run = str(int(time.time() * 1000))
    out = {}

    # --- users -------------------------------------------------------------------------------
    human = zitadel.users.create_user(
        UserServiceCreateUserRequest.from_dict(
            {
                "organizationId": org_id,
                "username": f"ada-{run}",
                "human": {
                    "profile": {"givenName": "Ada", "familyName": "Lovelace"},
                    "email": {"email": f"ada-{run}@example.com", "isVerified": True},
                    "password": {"password": "Sup3r-Secret!", "changeRequired": False},
                },
            }
        )
    )
    check(human.id, "CreateUser (human) returns an id")
    out["human"] = human.id
    machine = zitadel.users.create_user(
        UserServiceCreateUserRequest.from_dict(
            {
                "organizationId": org_id,
                "username": f"robot-{run}",
                "machine": {"name": "Robot", "description": "builds things"},
            }
        )
    )
    check(machine.id and machine.id != human.id, "CreateUser (machine) returns a new id")
    out["machine"] = machine.id

    got = zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(userId=human.id)).user
    check(got.user_id == human.id, "GetUserByID returns the user")
    check(got.username == f"ada-{run}", f"username {got.username}")
    check(got.human.profile.given_name == "Ada", "given name")
    check(got.human.email.email == f"ada-{run}@example.com", "email")
    check(got.human.email.is_verified is True, "email verified")
    check(enum_name(got.state) == "USER_STATE_ACTIVE", f"state {got.state}")
    check(got.details.resource_owner == org_id, "resource owner is the org")
    got_machine = zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(userId=machine.id)).user
    check(got_machine.machine.name == "Robot", "machine name")

    listed = zitadel.users.list_users(
        UserServiceListUsersRequest.from_dict(
            {
                "query": {"limit": 10, "asc": True},
                "queries": [
                    {"userNameQuery": {"userName": f"ada-{run}", "method": "TEXT_QUERY_METHOD_EQUALS"}},
                    {"typeQuery": {"type": "TYPE_HUMAN"}},
                ],
            }
        )
    )
    check([u.user_id for u in listed.result] == [human.id], f"ListUsers by name: {listed}")
    check(int(listed.details.total_result) == 1, "ListUsers total")
    either = zitadel.users.list_users(
        UserServiceListUsersRequest.from_dict(
            {
                "queries": [
                    {
                        "orQuery": {
                            "queries": [
                                {"inUserIdsQuery": {"userIds": [human.id]}},
                                {"userNameQuery": {"userName": f"robot-{run}"}},
                            ]
                        }
                    }
                ]
            }
        )
    )
    check(
        sorted(u.user_id for u in either.result) == sorted([human.id, machine.id]),
        "ListUsers with an or-query finds both",
    )

    zitadel.users.update_user(
        UserServiceUpdateUserRequest.from_dict(
            {
                "userId": human.id,
                "human": {"profile": {"givenName": "Augusta", "familyName": "King"}},
            }
        )
    )
    got = zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(userId=human.id)).user
    check(got.human.profile.given_name == "Augusta", "UpdateUser changed the given name")
    check(got.human.profile.family_name == "King", "UpdateUser changed the family name")

    zitadel.users.lock_user(UserServiceLockUserRequest(userId=human.id))
    got = zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(userId=human.id)).user
    check(enum_name(got.state) == "USER_STATE_LOCKED", f"locked state {got.state}")
    zitadel.users.unlock_user(UserServiceUnlockUserRequest(userId=human.id))
    zitadel.users.deactivate_user(UserServiceDeactivateUserRequest(userId=human.id))
    got = zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(userId=human.id)).user
    check(enum_name(got.state) == "USER_STATE_INACTIVE", f"inactive state {got.state}")
    expect_error(
        lambda: zitadel.users.deactivate_user(UserServiceDeactivateUserRequest(userId=human.id)),
        400,
        "deactivating an inactive user",
    )
    zitadel.users.reactivate_user(UserServiceReactivateUserRequest(userId=human.id))
    got = zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(userId=human.id)).user
    check(enum_name(got.state) == "USER_STATE_ACTIVE", f"reactivated state {got.state}")

    # --- a project with roles, an OIDC app, an authorization ----------------------------------
    project = zitadel.projects.create_project(
        ProjectServiceCreateProjectRequest.from_dict(
            {"organizationId": org_id, "name": f"Shop {run}", "projectRoleAssertion": True}
        )
    )
    check(project.id, "CreateProject returns an id")
    out["project"] = project.id
    for key in ["admin", "viewer"]:
        zitadel.projects.add_project_role(
            ProjectServiceAddProjectRoleRequest(
                projectId=project.id, roleKey=key, displayName=key.title(), group="shop"
            )
        )
    expect_error(
        lambda: zitadel.projects.add_project_role(
            ProjectServiceAddProjectRoleRequest(projectId=project.id, roleKey="admin", displayName="again")
        ),
        409,
        "a duplicate role key",
    )
    roles = zitadel.projects.list_project_roles(
        ProjectServiceListProjectRolesRequest(projectId=project.id)
    )
    check(sorted(r.key for r in roles.project_roles) == ["admin", "viewer"], f"roles {roles}")
    got_project = zitadel.projects.get_project(ProjectServiceGetProjectRequest(projectId=project.id))
    check(got_project.project.name == f"Shop {run}", "GetProject name")
    check(got_project.project.project_role_assertion is True, "role assertion")

    app = zitadel.applications.create_application(
        ApplicationServiceCreateApplicationRequest.from_dict(
            {
                "projectId": project.id,
                "name": "web",
                "oidcConfiguration": {
                    "redirectUris": ["https://shop.example.com/callback"],
                    "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                    "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
                    "applicationType": "OIDC_APP_TYPE_WEB",
                    "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC",
                    "postLogoutRedirectUris": ["https://shop.example.com/"],
                    "accessTokenType": "OIDC_TOKEN_TYPE_JWT",
                    "clockSkew": "2s",
                },
            }
        )
    )
    check(app.application_id, "CreateApplication returns an id")
    check(app.oidc_configuration.client_id, "an OIDC client id")
    check(app.oidc_configuration.client_secret, "a client secret, shown once")
    out["app"] = app.application_id
    got_app = zitadel.applications.get_application(
        ApplicationServiceGetApplicationRequest(applicationId=app.application_id)
    ).application
    oidc = got_app.oidc_configuration
    check(oidc.redirect_uris == ["https://shop.example.com/callback"], f"redirect uris {oidc}")
    check(oidc.client_id == app.oidc_configuration.client_id, "same client id")
    check(oidc.clock_skew == "2s", f"clock skew as a proto duration: {oidc.clock_skew!r}")
    check(not getattr(oidc, "client_secret", None), "the secret is never returned again")

    authorization = zitadel.authorizations.create_authorization(
        AuthorizationServiceCreateAuthorizationRequest(
            userId=human.id, projectId=project.id, organizationId=org_id, roleKeys=["viewer"]
        )
    )
    check(authorization.id, "CreateAuthorization returns an id")
    out["authorization"] = authorization.id
    expect_error(
        lambda: zitadel.authorizations.create_authorization(
            AuthorizationServiceCreateAuthorizationRequest(
                userId=machine.id, projectId=project.id, organizationId=org_id, roleKeys=["owner"]
            )
        ),
        400,
        "a role the project does not have",
    )
    found = zitadel.authorizations.list_authorizations(
        AuthorizationServiceListAuthorizationsRequest.from_dict(
            {"filters": [{"inUserIds": {"ids": [human.id]}}]}
        )
    )
    check([a.id for a in found.authorizations] == [authorization.id], f"authorizations {found}")
    check(found.authorizations[0].roles[0].key == "viewer", "the granted role")

    # --- settings: instance default, then an org override --------------------------------------
    instance_pw = zitadel.settings.get_password_complexity_settings(
        SettingsServiceGetPasswordComplexitySettingsRequest.from_dict({"ctx": {"instance": True}})
    ).settings
    check(int(instance_pw.min_length) == 8, f"instance default min length {instance_pw.min_length}")
    check(
        enum_name(instance_pw.resource_owner_type) == "RESOURCE_OWNER_TYPE_INSTANCE",
        f"owner type {instance_pw.resource_owner_type}",
    )
    override = json.dumps(
        {"minLength": 12, "hasUppercase": True, "hasLowercase": True, "hasNumber": True, "hasSymbol": False}
    ).encode()
    request = urllib.request.Request(
        f"{base_url}/management/v1/policies/password/complexity",
        data=override,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "x-zitadel-orgid": org_id,
        },
    )
    with urllib.request.urlopen(request) as response:
        check(response.status == 200, f"management v1 override: {response.status}")
    org_pw = zitadel.settings.get_password_complexity_settings(
        SettingsServiceGetPasswordComplexitySettingsRequest.from_dict({"ctx": {"orgId": org_id}})
    ).settings
    check(int(org_pw.min_length) == 12, f"org override min length {org_pw.min_length}")
    check(org_pw.requires_symbol is not True, "org override symbol")
    check(
        enum_name(org_pw.resource_owner_type) == "RESOURCE_OWNER_TYPE_ORG",
        f"override owner type {org_pw.resource_owner_type}",
    )
    still = zitadel.settings.get_password_complexity_settings(
        SettingsServiceGetPasswordComplexitySettingsRequest.from_dict({"ctx": {"instance": True}})
    ).settings
    check(int(still.min_length) == 8, "the instance default is unchanged")
    login = zitadel.settings.get_login_settings(
        SettingsServiceGetLoginSettingsRequest.from_dict({"ctx": {"orgId": org_id}})
    ).settings
    check(login.allow_username_password is True, "login settings fall back to the default")

    # --- delete ----------------------------------------------------------------------------------
    zitadel.users.delete_user(UserServiceDeleteUserRequest(userId=machine.id))
    expect_error(
        lambda: zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(userId=machine.id)),
        404,
        "a deleted user",
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
