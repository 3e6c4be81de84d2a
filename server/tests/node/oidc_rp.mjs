// An independent relying-party library — `openid-client` v6 by panva, unchanged — against a
// running Castellan: discovery; code + PKCE through the hosted login pages (the library verifies
// the ID token's signature against the JWKS, its issuer, audience, azp and nonce); userinfo;
// refresh with rotation; token exchange (RFC 8693); revocation, then introspection inactive;
// and, as a machine user, client credentials and the JWT profile (RFC 7523, the assertion signed
// with `jose` from ZITADEL's key file); finally the device flow (RFC 8628) through the /device
// pages.
//
// Usage: node oidc_rp.mjs <base url> <client id> <client secret> <machine user id>
//                         <machine secret> <machine key file (JSON)>
//
// Prints one line per step; exits non-zero with the failing step and its error on a failure.
// A tiny cookie jar and form driving of the login pages (fetch with redirect: "manual") stand in
// for a browser.

import assert from "node:assert/strict";
import { createHash, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import * as client from "openid-client";
import { SignJWT } from "jose";

const [baseUrl, clientId, clientSecret, machineId, machineSecret, keyFile] =
  process.argv.slice(2);
if (!keyFile) {
  console.error(
    "usage: node oidc_rp.mjs <base url> <client id> <client secret> <machine id> <machine secret> <key file>",
  );
  process.exit(2);
}

const REDIRECT_URI = "https://rp.test/cb";
const PASSWORD = "Secret-Passw0rd!";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

// The test server speaks plain http on localhost; openid-client v6 refuses non-https endpoints
// unless told otherwise, so every configuration here opts in with `allowInsecureRequests`.
const insecure = { execute: [client.allowInsecureRequests] };

let current = "start";
async function step(name, body) {
  current = name;
  let detail;
  try {
    detail = await body();
  } catch (error) {
    fail(error);
  }
  console.log(`ok ${name}${detail ? `: ${detail}` : ""}`);
}

process.on("unhandledRejection", fail);
function fail(error) {
  const extra = error && error.error ? ` (error=${error.error}: ${error.error_description ?? ""})` : "";
  console.error(`FAILED at step "${current}": ${error?.stack ?? error}${extra}`);
  if (error?.cause) console.error("cause:", error.cause);
  process.exit(1);
}

/** A browser's worth of cookies for one origin. */
class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }

  remember(response) {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";")[0];
      const at = pair.indexOf("=");
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
  }

  headers() {
    const cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join("; ");
    return cookie ? { cookie } : {};
  }

  async get(url) {
    const response = await fetch(new URL(url, this.base), {
      redirect: "manual",
      headers: this.headers(),
    });
    this.remember(response);
    return response;
  }

  async post(path, form) {
    const response = await fetch(new URL(path, this.base), {
      method: "POST",
      redirect: "manual",
      headers: { ...this.headers(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
    this.remember(response);
    return response;
  }
}

function hidden(html, name) {
  const match = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  assert.ok(match, `the page has a hidden ${name} field: ${html.slice(0, 400)}`);
  return match[1].replaceAll("&amp;", "&");
}

async function expectStatus(response, status, what) {
  if (response.status !== status) {
    assert.fail(`${what}: HTTP ${response.status}, want ${status}: ${await response.text()}`);
  }
}

async function expectOAuthError(call, code, what) {
  try {
    await call();
  } catch (error) {
    if (error instanceof client.WWWAuthenticateChallengeError) {
      // A 401 with a WWW-Authenticate challenge (RFC 6749 §5.2: invalid_client after Basic
      // authentication): the library raises the challenge and leaves the body unread.
      assert.equal(error.status, 401, `${what}: ${error}`);
      assert.equal(error.cause[0]?.scheme, "basic", `${what}: the challenge names Basic`);
      const body = await error.response.json();
      assert.equal(body.error, code, `${what}: ${JSON.stringify(body)}`);
      return;
    }
    assert.equal(error.error, code, `${what}: ${error}`);
    return;
  }
  assert.fail(`${what}: succeeded, want ${code}`);
}

const issuer = new URL(baseUrl);
let web;
await step("discovery", async () => {
  web = await client.discovery(
    issuer,
    clientId,
    undefined,
    client.ClientSecretBasic(clientSecret),
    insecure,
  );
  const meta = web.serverMetadata();
  assert.equal(meta.issuer, baseUrl);
  assert.equal(meta.token_endpoint, `${baseUrl}/oauth/v2/token`);
  assert.equal(meta.jwks_uri, `${baseUrl}/oauth/v2/keys`);
  assert.ok(meta.supportsPKCE("S256"), "S256 is advertised");
  assert.ok(meta.device_authorization_endpoint, "the device endpoint is advertised");
  for (const grant of ["authorization_code", "refresh_token", TOKEN_EXCHANGE, JWT_BEARER]) {
    assert.ok(meta.grant_types_supported.includes(grant), `grant ${grant} is advertised`);
  }
  return meta.issuer;
});

// --- Code + PKCE through the hosted login -------------------------------------------------
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
let callback;
await step("authorize and sign in through the hosted login", async () => {
  const url = client.buildAuthorizationUrl(web, {
    redirect_uri: REDIRECT_URI,
    scope: "openid profile email offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    max_age: "600",
  });
  const browser = new Browser(baseUrl);
  let response = await browser.get(url);
  await expectStatus(response, 303, "authorize");
  const login = response.headers.get("location");
  assert.match(login, /\/ui\/login\/login\?authRequest=/);
  response = await browser.get(login);
  await expectStatus(response, 200, "login page");
  const page = await response.text();
  const authRequest = hidden(page, "authRequest");
  const csrf = hidden(page, "csrf");
  assert.ok(browser.cookies.has("castellan_csrf"), "the login page sets the CSRF cookie");
  response = await browser.post("/ui/login/login", { authRequest, csrf, loginName: "ada" });
  await expectStatus(response, 200, "login name");
  assert.match(await response.text(), /name="password"/);
  response = await browser.post("/ui/login/password", {
    authRequest,
    csrf,
    loginName: "ada",
    password: PASSWORD,
  });
  await expectStatus(response, 303, "password");
  callback = new URL(response.headers.get("location"));
  assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
  return `${callback.origin}${callback.pathname}`;
});

let tokens;
await step("code exchange (ID token checked against the JWKS)", async () => {
  tokens = await client.authorizationCodeGrant(web, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    // With max_age the library requires auth_time in the ID token and checks it.
    maxAge: 600,
    idTokenExpected: true,
  });
  assert.equal(tokens.token_type.toLowerCase(), "bearer");
  assert.ok(tokens.access_token, "an access token");
  assert.ok(tokens.refresh_token, "a refresh token for offline_access");
  const claims = tokens.claims();
  assert.equal(claims.sub, "ada");
  assert.equal(claims.iss, baseUrl);
  assert.equal(claims.nonce, nonce);
  assert.equal(claims.azp, clientId);
  assert.ok([claims.aud].flat().includes(clientId), "the client is in the audience");
  assert.ok(claims.exp > claims.iat, "exp after iat");
  assert.ok(typeof claims.auth_time === "number", "auth_time for max_age");
  // at_hash (OIDC Core §3.3.2.11): the left half of the hash of the access token, by the
  // ID token's signing algorithm's hash. The library does not check it in the code flow.
  const { alg } = JSON.parse(Buffer.from(tokens.id_token.split(".")[0], "base64url"));
  const hash = { 256: "sha256", 384: "sha384", 512: "sha512" }[alg.slice(-3)] ?? "sha512";
  const digest = createHash(hash).update(tokens.access_token).digest();
  assert.equal(claims.at_hash, digest.subarray(0, digest.length / 2).toString("base64url"));
  return `sub=${claims.sub}`;
});

await step("userinfo", async () => {
  const info = await client.fetchUserInfo(web, tokens.access_token, "ada");
  assert.equal(info.sub, "ada");
  assert.equal(info.email, "ada@example.com");
  assert.equal(info.email_verified, true);
  assert.equal(info.given_name, "Ada");
  assert.equal(info.family_name, "Lovelace");
  return info.email;
});

await step("a replayed code is refused", async () => {
  await expectOAuthError(
    () =>
      client.authorizationCodeGrant(web, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    "invalid_grant",
    "code replay",
  );
  // A replayed code revokes what it was exchanged for (RFC 6749 §4.1.2).
  const info = await client.tokenIntrospection(web, tokens.access_token);
  assert.equal(info.active, false, "the replay revoked the code's access token");
  return "and its tokens revoked";
});

// The code's grant was ended by the replay above (a replayed code revokes its tokens); sign in
// again for the rest of the user flows.
await step("a second sign-in after the replay", async () => {
  const verifier2 = client.randomPKCECodeVerifier();
  const state2 = client.randomState();
  const url = client.buildAuthorizationUrl(web, {
    redirect_uri: REDIRECT_URI,
    scope: "openid profile email offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier2),
    code_challenge_method: "S256",
    state: state2,
  });
  const browser = new Browser(baseUrl);
  let response = await browser.get(url);
  await expectStatus(response, 303, "authorize");
  response = await browser.get(response.headers.get("location"));
  const page = await response.text();
  const authRequest = hidden(page, "authRequest");
  const csrf = hidden(page, "csrf");
  await browser.post("/ui/login/login", { authRequest, csrf, loginName: "ada" });
  response = await browser.post("/ui/login/password", {
    authRequest,
    csrf,
    loginName: "ada",
    password: PASSWORD,
  });
  await expectStatus(response, 303, "password");
  tokens = await client.authorizationCodeGrant(web, new URL(response.headers.get("location")), {
    pkceCodeVerifier: verifier2,
    expectedState: state2,
  });
  assert.equal(tokens.claims().sub, "ada");
});

let refreshed;
await step("refresh with rotation", async () => {
  refreshed = await client.refreshTokenGrant(web, tokens.refresh_token);
  assert.ok(refreshed.refresh_token, "a new refresh token");
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, "the refresh token rotated");
  assert.notEqual(refreshed.access_token, tokens.access_token, "a new access token");
  assert.equal(refreshed.claims()?.sub, "ada", "the refreshed ID token names the same user");
  const info = await client.fetchUserInfo(web, refreshed.access_token, "ada");
  assert.equal(info.email, "ada@example.com");
  return "rotated";
});

await step("token exchange (RFC 8693)", async () => {
  const exchanged = await client.genericGrantRequest(web, TOKEN_EXCHANGE, {
    subject_token: refreshed.access_token,
    subject_token_type: ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
  });
  assert.equal(exchanged.issued_token_type, ACCESS_TOKEN_TYPE);
  assert.equal(exchanged.token_type.toLowerCase(), "bearer");
  assert.notEqual(exchanged.access_token, refreshed.access_token);
  const info = await client.tokenIntrospection(web, exchanged.access_token);
  assert.equal(info.active, true);
  assert.equal(info.sub, "ada");
  assert.equal(info.client_id, clientId);
  assert.equal(info.act, undefined, "no actor, no act claim");
  return `issued ${exchanged.issued_token_type}`;
});

await step("introspection, revocation, introspection inactive", async () => {
  let info = await client.tokenIntrospection(web, refreshed.access_token);
  assert.equal(info.active, true);
  assert.equal(info.sub, "ada");
  assert.equal(info.iss, baseUrl);
  assert.equal(info.client_id, clientId);
  await client.tokenRevocation(web, refreshed.access_token);
  info = await client.tokenIntrospection(web, refreshed.access_token);
  assert.equal(info.active, false, "a revoked access token is inactive");
  await client.tokenRevocation(web, "not-a-token-this-server-issued");
  return "active=false";
});

await step("a rotated-out refresh token is refused", async () => {
  await expectOAuthError(
    () => client.refreshTokenGrant(web, tokens.refresh_token),
    "invalid_grant",
    "reusing the old refresh token",
  );
  // Reuse revokes the whole family: the current refresh token is gone too.
  await expectOAuthError(
    () => client.refreshTokenGrant(web, refreshed.refresh_token),
    "invalid_grant",
    "the family after reuse",
  );
});

// --- Machine grants -------------------------------------------------------------------------
await step("client credentials", async () => {
  const machine = await client.discovery(
    issuer,
    machineId,
    undefined,
    client.ClientSecretBasic(machineSecret),
    insecure,
  );
  const granted = await client.clientCredentialsGrant(machine, {
    scope: "openid profile urn:zitadel:iam:org:project:id:zitadel:aud",
  });
  assert.equal(granted.token_type.toLowerCase(), "bearer");
  assert.ok(granted.expires_in > 0);
  const info = await client.fetchUserInfo(machine, granted.access_token, machineId);
  assert.equal(info.sub, machineId);
  const wrong = await client.discovery(
    issuer,
    machineId,
    undefined,
    client.ClientSecretBasic("wrong"),
    insecure,
  );
  await expectOAuthError(() => client.clientCredentialsGrant(wrong), "invalid_client", "wrong secret");
  return `sub=${info.sub}`;
});

await step("JWT profile (RFC 7523) through the generic grant", async () => {
  const file = JSON.parse(readFileSync(keyFile, "utf8"));
  assert.equal(file.type, "serviceaccount");
  assert.equal(file.userId, machineId);
  // ZITADEL's key files hold a PKCS#1 PEM; Node reads it into a KeyObject jose signs with.
  const key = createPrivateKey(file.key);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: file.keyId })
    .setIssuer(file.userId)
    .setSubject(file.userId)
    .setAudience(baseUrl)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key);
  // The JWT profile authenticates with the assertion itself: no client authentication.
  const machine = await client.discovery(issuer, machineId, undefined, client.None(), insecure);
  const granted = await client.genericGrantRequest(machine, JWT_BEARER, {
    assertion,
    scope: "openid profile",
  });
  assert.equal(granted.token_type.toLowerCase(), "bearer");
  const info = await client.fetchUserInfo(machine, granted.access_token, machineId);
  assert.equal(info.sub, machineId);
  // An assertion for another audience is refused.
  const stray = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: file.keyId })
    .setIssuer(file.userId)
    .setSubject(file.userId)
    .setAudience("https://elsewhere.test")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key);
  await expectOAuthError(
    () => client.genericGrantRequest(machine, JWT_BEARER, { assertion: stray, scope: "openid" }),
    "invalid_grant",
    "wrong audience",
  );
  return `sub=${info.sub}`;
});

// --- Device authorization (RFC 8628) --------------------------------------------------------
await step("device flow through the /device pages", async () => {
  const device = await client.initiateDeviceAuthorization(web, {
    scope: "openid profile email offline_access",
  });
  assert.ok(device.device_code && device.user_code, "device and user codes");
  assert.equal(device.verification_uri, `${baseUrl}/device`);
  assert.ok(device.interval > 0 && device.expires_in > 0);
  const browser = new Browser(baseUrl);
  let response = await browser.get(device.verification_uri_complete ?? device.verification_uri);
  await expectStatus(response, 200, "device page");
  const csrf = hidden(await response.text(), "csrf");
  response = await browser.post("/device", {
    csrf,
    userCode: device.user_code,
    loginName: "ada",
    password: PASSWORD,
  });
  await expectStatus(response, 200, "device sign-in");
  const consent = await response.text();
  assert.ok(browser.cookies.has("castellan_session"), "signing in at /device sets the session");
  assert.ok(consent.includes(clientId), "the consent page names the client");
  response = await browser.post("/device/decide", {
    csrf,
    userCode: device.user_code,
    decision: "approve",
  });
  await expectStatus(response, 200, "device approval");
  const granted = await client.pollDeviceAuthorizationGrant(web, device);
  assert.equal(granted.claims()?.sub, "ada");
  assert.ok(granted.refresh_token, "offline_access gives the device a refresh token");
  const info = await client.fetchUserInfo(web, granted.access_token, "ada");
  assert.equal(info.email, "ada@example.com");
  // The device code is spent.
  await expectOAuthError(
    () => client.pollDeviceAuthorizationGrant(web, { ...device, interval: 1 }),
    "invalid_grant",
    "a spent device code",
  );
  return `sub=${granted.claims().sub}`;
});

console.log("all steps passed");
