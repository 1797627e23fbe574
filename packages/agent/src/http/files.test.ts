import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentView } from "../agent-view.js";
import { buildAgentHttp } from "./app.js";

let workDir: string;
let root: string;
let sandbox: string;
let app: FastifyInstance;

function viewOf(sandboxRoot: string): AgentView {
  return {
    id: undefined,
    hostname: "h",
    port: 5051,
    resources: [],
    attributes: [],
    capabilities: ["shell"],
    sandboxRoot,
    cgroupMode: "none",
    taskUsage: async () => [],
    frameworks: () => [],
    completedFrameworks: () => [],
  };
}

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "agora-files-"));
  root = path.join(workDir, "sandboxes");
  sandbox = path.join(root, "fw-1", "task-1");
  await mkdir(path.join(sandbox, "sub"), { recursive: true });
  await writeFile(path.join(sandbox, "stdout"), "0123456789");
  await writeFile(path.join(workDir, "secret"), "do not read");
  app = buildAgentHttp(viewOf(root));
});

afterEach(async () => {
  await app.close();
  await rm(workDir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: "GET", url });
const q = (p: string) => encodeURIComponent(p);

describe("GET /files/read", () => {
  it("reads a sandbox file from an offset, for a length", async () => {
    const res = await get(`/files/read?path=${q(`${sandbox}/stdout`)}&offset=2&length=5`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: "23456", offset: 2 });
  });

  it("reads to the end without a length", async () => {
    const res = await get(`/files/read?path=${q(`${sandbox}/stdout`)}&offset=7`);
    expect(res.json()).toEqual({ data: "789", offset: 7 });
  });

  it("answers the file size with no data when the offset is missing or -1, as Mesos", async () => {
    for (const suffix of ["", "&offset=-1"]) {
      const res = await get(`/files/read?path=${q(`${sandbox}/stdout`)}${suffix}`);
      expect(res.json()).toEqual({ data: "", offset: 10 });
    }
  });

  it("refuses '..' that leaves the sandboxes with 403", async () => {
    const res = await get(`/files/read?path=${q(`${sandbox}/../../../secret`)}&offset=0`);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ field: "path", message: expect.stringContaining("outside") });
  });

  it("refuses an absolute path outside the sandboxes with 403", async () => {
    const res = await get(`/files/read?path=${q("/etc/passwd")}&offset=0`);
    expect(res.statusCode).toBe(403);
  });

  it("refuses a symlink that points out of the sandboxes with 403", async () => {
    await symlink(path.join(workDir, "secret"), path.join(sandbox, "escape"));
    await symlink(workDir, path.join(sandbox, "escape-dir"));
    expect((await get(`/files/read?path=${q(`${sandbox}/escape`)}&offset=0`)).statusCode).toBe(403);
    expect((await get(`/files/read?path=${q(`${sandbox}/escape-dir/secret`)}&offset=0`)).statusCode).toBe(
      403,
    );
    expect((await get(`/files/read?path=${q(`${sandbox}/escape-dir/missing`)}&offset=0`)).statusCode).toBe(
      403,
    );
    expect((await get(`/files/browse?path=${q(`${sandbox}/escape-dir`)}`)).statusCode).toBe(403);
  });

  it("follows a symlink that stays inside the sandboxes", async () => {
    await symlink(path.join(sandbox, "stdout"), path.join(sandbox, "link"));
    const res = await get(`/files/read?path=${q(`${sandbox}/link`)}&offset=0`);
    expect(res.json()).toEqual({ data: "0123456789", offset: 0 });
  });

  it("answers 404 for a missing file and 400 for bad parameters", async () => {
    expect((await get(`/files/read?path=${q(`${sandbox}/nope`)}&offset=0`)).statusCode).toBe(404);
    const relative = await get(`/files/read?path=stdout`);
    expect(relative.statusCode).toBe(400);
    expect(relative.json().field).toBe("path");
    const badOffset = await get(`/files/read?path=${q(`${sandbox}/stdout`)}&offset=abc`);
    expect(badOffset.statusCode).toBe(400);
    expect(badOffset.json().field).toBe("offset");
    expect((await get(`/files/read`)).statusCode).toBe(400);
    expect((await get(`/files/read?path=${q(sandbox)}&offset=0`)).statusCode).toBe(400);
  });
});

describe("GET /files/browse", () => {
  it("lists a sandbox directory the Mesos way", async () => {
    const res = await get(`/files/browse?path=${q(sandbox)}`);
    expect(res.statusCode).toBe(200);
    const entries = res.json() as {
      path: string;
      size: number;
      mode: string;
      nlink: number;
      mtime: number;
      uid: string;
      gid: string;
    }[];
    expect(entries.map((e) => e.path)).toEqual([`${sandbox}/stdout`, `${sandbox}/sub`]);
    expect(entries[0]).toMatchObject({ size: 10, mode: expect.stringMatching(/^-rw/), nlink: 1 });
    expect(entries[1]?.mode).toMatch(/^d/);
    expect(typeof entries[0]?.mtime).toBe("number");
    expect(typeof entries[0]?.uid).toBe("string");
  });

  it("lists the frameworks' sandboxes at the root, not the agent's ready ones", async () => {
    await mkdir(path.join(root, ".spare", "ready-1"), { recursive: true });
    const res = await get(`/files/browse?path=${q(root)}`);
    expect(res.statusCode).toBe(200);
    expect((res.json() as { path: string }[]).map((e) => e.path)).toEqual([`${root}/fw-1`]);
  });

  it("refuses paths outside the sandboxes and answers 404 for missing directories", async () => {
    expect((await get(`/files/browse?path=${q(workDir)}`)).statusCode).toBe(403);
    expect((await get(`/files/browse?path=${q(`${root}/..`)}`)).statusCode).toBe(403);
    expect((await get(`/files/browse?path=${q(`${root}/fw-9`)}`)).statusCode).toBe(404);
    expect((await get(`/files/browse?path=${q(`${sandbox}/stdout`)}`)).statusCode).toBe(400);
  });
});
