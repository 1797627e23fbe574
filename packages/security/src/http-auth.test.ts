import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { parseCredentials } from "./credentials.js";
import type { HttpAuthStyle } from "./http-auth.js";
import { installHttpSecurity, OPEN_HTTP } from "./http-security.js";
import { SessionTokens } from "./sessions.js";

const credentials = parseCredentials(
  JSON.stringify({
    credentials: [
      { principal: "ops", secret: "s3cret" },
      { principal: "dev", secret: "d3v" },
    ],
  }),
  "test",
);
const basic = (p: string, s: string) => `Basic ${Buffer.from(`${p}:${s}`).toString("base64")}`;

let app: FastifyInstance;
afterEach(async () => app?.close());

/** A server with a read route, a write route, Mesos' operator API, an event stream and a probe. */
function server(
  flags: { readonly: boolean; readwrite: boolean },
  o: { style?: HttpAuthStyle; sessions?: SessionTokens; cors?: string[]; login?: boolean } = {},
) {
  app = Fastify();
  installHttpSecurity(
    app,
    {
      ...OPEN_HTTP,
      credentials,
      authenticateReadonly: flags.readonly,
      authenticateReadwrite: flags.readwrite,
      sessions: o.sessions ?? new SessionTokens(),
      corsOrigins: o.cors,
    },
    { style: o.style ?? "mesos", login: o.login ?? false },
  );
  const who = async (request: { principal: string | undefined }) => ({
    principal: request.principal ?? null,
  });
  app.get("/health", who);
  app.get("/master/state", who);
  app.post("/weights", who);
  app.post("/api/v1", who);
  app.get("/master/events", who);
  return app;
}

describe("HTTP authentication", () => {
  it("read-write only: a GET passes anonymously, a POST without credentials is 401 with Mesos' challenge and body", async () => {
    server({ readonly: false, readwrite: true });
    const read = await app.inject({ method: "GET", url: "/master/state" });
    expect(read.json()).toEqual({ principal: null });
    const write = await app.inject({ method: "POST", url: "/weights", payload: {} });
    expect(write.statusCode).toBe(401);
    expect(write.headers["www-authenticate"]).toBe('Basic realm="agora"');
    expect(write.body).toBe("401 Unauthorized.");
  });

  it("puts the principal of basic credentials and of a bearer secret on the request", async () => {
    server({ readonly: true, readwrite: true });
    const a = await app.inject({ url: "/master/state", headers: { authorization: basic("ops", "s3cret") } });
    expect(a.json()).toEqual({ principal: "ops" });
    const b = await app.inject({ url: "/master/state", headers: { authorization: "Bearer d3v" } });
    expect(b.json()).toEqual({ principal: "dev" });
  });

  it("refuses a wrong secret, an unknown principal, another scheme, even where no credentials are needed", async () => {
    server({ readonly: false, readwrite: true });
    for (const authorization of [basic("ops", "nope"), basic("who", "s3cret"), "Digest x", "Bearer nope"]) {
      const r = await app.inject({ url: "/master/state", headers: { authorization } });
      expect(r.statusCode, authorization).toBe(401);
    }
  });

  it("never authenticates /health, whatever it carries", async () => {
    server({ readonly: true, readwrite: true });
    const r = await app.inject({ url: "/health", headers: { authorization: basic("ops", "nope") } });
    expect(r.statusCode).toBe(200);
  });

  it("Mesos' v1 operator calls: GET_* are read-only, the rest read-write", async () => {
    server({ readonly: false, readwrite: true });
    const get = await app.inject({ method: "POST", url: "/api/v1", payload: { type: "GET_STATE" } });
    expect(get.statusCode).toBe(200);
    const update = await app.inject({ method: "POST", url: "/api/v1", payload: { type: "UPDATE_WEIGHTS" } });
    expect(update.statusCode).toBe(401);
    await app.close();
    server({ readonly: true, readwrite: false });
    expect(
      (await app.inject({ method: "POST", url: "/api/v1", payload: { type: "GET_STATE" } })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ method: "POST", url: "/api/v1", payload: { type: "UPDATE_WEIGHTS" } })).statusCode,
    ).toBe(200);
  });

  it("answers 401 in Marathon's and Chronos' styles", async () => {
    server({ readonly: true, readwrite: true }, { style: "marathon" });
    const m = await app.inject({ url: "/master/state" });
    expect(m.json()).toEqual({ message: "Not Authenticated!" });
    await app.close();
    server({ readonly: true, readwrite: true }, { style: "chronos" });
    const c = await app.inject({ url: "/master/state" });
    expect(c.headers["content-type"]).toMatch(/^text\/html/);
    expect(c.body).toContain("HTTP ERROR 401");
  });

  it("takes a session token as ?access_token= on event streams only", async () => {
    const sessions = new SessionTokens();
    const { token } = sessions.issue("ops");
    server({ readonly: true, readwrite: true }, { sessions });
    const stream = await app.inject({ url: `/master/events?access_token=${token}` });
    expect(stream.json()).toEqual({ principal: "ops" });
    const state = await app.inject({ url: `/master/state?access_token=${token}` });
    expect(state.statusCode).toBe(401);
    const bearer = await app.inject({ url: "/master/state", headers: { authorization: `Bearer ${token}` } });
    expect(bearer.json()).toEqual({ principal: "ops" });
    // The web UI is challenged with Bearer, so the browser shows no password dialog of its own.
    const wrong = await app.inject({ url: "/master/state", headers: { authorization: "Bearer x.y" } });
    expect(wrong.headers["www-authenticate"]).toBe('Bearer realm="agora"');
  });

  it("POST /login issues a token for basic credentials or a JSON body, and refuses wrong ones", async () => {
    server({ readonly: true, readwrite: true }, { login: true });
    expect((await app.inject({ url: "/login" })).json()).toEqual({
      credentials: true,
      authenticateReadonly: true,
      authenticateReadwrite: true,
    });
    const byHeader = await app.inject({
      method: "POST",
      url: "/login",
      headers: { authorization: basic("ops", "s3cret") },
    });
    expect(byHeader.statusCode).toBe(200);
    const { token, principal, expiresAt } = byHeader.json<{
      token: string;
      principal: string;
      expiresAt: number;
    }>();
    expect(principal).toBe("ops");
    expect(expiresAt).toBeGreaterThan(Date.now());
    const used = await app.inject({ url: "/master/state", headers: { authorization: `Bearer ${token}` } });
    expect(used.json()).toEqual({ principal: "ops" });
    const byBody = await app.inject({
      method: "POST",
      url: "/login",
      payload: { principal: "dev", secret: "d3v" },
    });
    expect(byBody.json<{ principal: string }>().principal).toBe("dev");
    const wrong = await app.inject({
      method: "POST",
      url: "/login",
      payload: { principal: "dev", secret: "x" },
    });
    expect(wrong.statusCode).toBe(401);
    const bad = await app.inject({ method: "POST", url: "/login", payload: { principal: "dev" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: "secret" });
    // A session token cannot renew itself.
    const renew = await app.inject({
      method: "POST",
      url: "/login",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(renew.statusCode).toBe(401);
  });

  it("answers a CORS preflight from an allowed origin before authentication, and gives others no CORS headers", async () => {
    server({ readonly: true, readwrite: true }, { cors: ["https://ops.example"] });
    const preflight = await app.inject({
      method: "OPTIONS",
      url: "/weights",
      headers: { origin: "https://ops.example", "access-control-request-method": "POST" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://ops.example");
    expect(preflight.headers["access-control-allow-headers"]).toContain("Authorization");
    const denied = await app.inject({ url: "/master/state", headers: { origin: "https://ops.example" } });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers["access-control-allow-origin"]).toBe("https://ops.example");
    const other = await app.inject({ url: "/master/state", headers: { origin: "https://evil.example" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("without --http-credentials authenticates nothing and leaves request.principal undefined", async () => {
    app = Fastify();
    installHttpSecurity(app, undefined, { style: "mesos" });
    app.post("/weights", async (request) => ({ principal: request.principal ?? null }));
    const r = await app.inject({
      method: "POST",
      url: "/weights",
      headers: { authorization: basic("x", "y") },
    });
    expect(r.json()).toEqual({ principal: null });
  });
});

describe("SessionTokens", () => {
  it("verifies its own tokens until they expire, and refuses forged or foreign ones", () => {
    let now = 1_000;
    const sessions = new SessionTokens({ ttlMs: 100, now: () => now });
    const { token, expiresAt } = sessions.issue("ops");
    expect(expiresAt).toBe(1_100);
    expect(sessions.verify(token)).toBe("ops");
    const [payload, mac] = token.split(".") as [string, string];
    const stretched = Buffer.from(JSON.stringify({ p: "ops", e: 9e15 })).toString("base64url");
    expect(sessions.verify(`${stretched}.${mac}`)).toBeUndefined();
    expect(sessions.verify(`${payload}.${mac.slice(1)}`)).toBeUndefined();
    expect(new SessionTokens().verify(token)).toBeUndefined();
    now = 1_100;
    expect(sessions.verify(token)).toBeUndefined();
  });
});
