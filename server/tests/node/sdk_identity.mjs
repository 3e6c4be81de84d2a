// Drives a running Castellan with ZITADEL's official Node package (@zitadel/client), unchanged.
//
// Usage: node sdk_identity.mjs <base url> <personal access token> <org id>
//
// The package's service clients run over any Connect transport. Castellan serves the Connect
// protocol with JSON (and REST), not gRPC's binary framing, so the transport here is
// @connectrpc/connect-node's Connect transport with `useBinaryFormat: false`, authenticated by
// the package's own bearer interceptor. Prints one JSON line; exits non-zero on a failure.

import assert from "node:assert/strict";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Code, ConnectError, NewAuthorizationBearerInterceptor } from "@zitadel/client";
import {
  createOrganizationServiceClient,
  createSettingsServiceClient,
  createUserServiceClient,
  makeReqCtx,
} from "@zitadel/client/v2";

const [baseUrl, token, orgId] = process.argv.slice(2);
const transport = createConnectTransport({
  baseUrl,
  httpVersion: "1.1",
  useBinaryFormat: false,
  interceptors: [NewAuthorizationBearerInterceptor(token)],
});
const users = createUserServiceClient(transport);
const orgs = createOrganizationServiceClient(transport);
const settings = createSettingsServiceClient(transport);

async function expectCode(call, code, what) {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof ConnectError, `${what}: ${error}`);
    assert.equal(error.code, code, `${what}: ${error.message}`);
    return;
  }
  assert.fail(`${what}: succeeded, want code ${Code[code]}`);
}

const run = Date.now().toString();
const created = await users.createUser({
  organizationId: orgId,
  username: `grace-${run}`,
  userType: {
    case: "human",
    value: {
      profile: { givenName: "Grace", familyName: "Hopper" },
      email: { email: `grace-${run}@example.com`, verification: { case: "isVerified", value: true } },
      passwordType: { case: "password", value: { password: "Cobol-1959!", changeRequired: false } },
    },
  },
});
assert.ok(created.id, "CreateUser returns an id");

let { user } = await users.getUserByID({ userId: created.id });
assert.equal(user.userId, created.id);
assert.equal(user.username, `grace-${run}`);
assert.equal(user.type.case, "human");
assert.equal(user.type.value.profile.givenName, "Grace");
assert.equal(user.details.resourceOwner, orgId);

const listed = await users.listUsers({
  queries: [{ query: { case: "userNameQuery", value: { userName: `grace-${run}` } } }],
});
assert.deepEqual(listed.result.map((u) => u.userId), [created.id]);
assert.equal(listed.details.totalResult, 1n, "int64 totals arrive as bigint");

await users.updateUser({
  userId: created.id,
  userType: { case: "human", value: { profile: { givenName: "Amazing Grace" } } },
});
({ user } = await users.getUserByID({ userId: created.id }));
assert.equal(user.type.value.profile.givenName, "Amazing Grace");
assert.equal(user.type.value.profile.familyName, "Hopper", "an update keeps fields it does not name");

await users.lockUser({ userId: created.id });
await users.unlockUser({ userId: created.id });
await users.deactivateUser({ userId: created.id });
await expectCode(
  () => users.deactivateUser({ userId: created.id }),
  Code.FailedPrecondition,
  "deactivating an inactive user",
);
await users.reactivateUser({ userId: created.id });

await expectCode(
  () =>
    users.createUser({
      organizationId: orgId,
      username: `grace-${run}`,
      userType: {
        case: "human",
        value: { profile: { givenName: "G", familyName: "H" }, email: { email: `other-${run}@example.com` } },
      },
    }),
  Code.AlreadyExists,
  "a duplicate username",
);

const orgList = await orgs.listOrganizations({});
assert.ok(orgList.result.some((o) => o.id === orgId), "ListOrganizations includes the org");

const complexity = await settings.getPasswordComplexitySettings({ ctx: makeReqCtx(orgId) });
assert.ok(complexity.settings.minLength >= 8n, "password complexity from the settings");

await users.deleteUser({ userId: created.id });
await expectCode(() => users.getUserByID({ userId: created.id }), Code.NotFound, "a deleted user");

console.log(JSON.stringify({ user: created.id }));
