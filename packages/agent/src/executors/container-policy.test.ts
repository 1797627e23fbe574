import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TaskInfo, type TaskInfoInput } from "@agora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAgentError } from "../errors.js";
import { checkContainerPolicy, containerRefusal, STRICT_CONTAINER_POLICY } from "./container-policy.js";

const task = (container: Omit<NonNullable<TaskInfoInput["container"]>, "type">) =>
  TaskInfo.parse({
    taskId: "t.1",
    name: "t",
    agentId: "a-1",
    resources: [{ name: "cpus", scalar: 0.1 }],
    container: { type: "DOCKER", ...container },
  });
const image = { image: "busybox" };
const sandbox = "/var/lib/agora/sandboxes/f/t.1";
const allowAll = { allowPrivileged: true, allowHostVolumes: true };

describe("what an agent lets a container reach", () => {
  it("refuses privileged containers, by field or Docker parameter, naming it", () => {
    expect(
      containerRefusal(task({ docker: { ...image, privileged: true } }), sandbox, STRICT_CONTAINER_POLICY),
    ).toMatch(/^container\.docker\.privileged: .*--allow-privileged-containers/);
    const params = [
      { key: "label", value: "x" },
      { key: "privileged", value: "true" },
    ];
    expect(
      containerRefusal(task({ docker: { ...image, parameters: params } }), sandbox, STRICT_CONTAINER_POLICY),
    ).toMatch(/^container\.docker\.parameters\[1\] \(privileged\): /);
    const off = [{ key: "privileged", value: "false" }];
    expect(
      containerRefusal(task({ docker: { ...image, parameters: off } }), sandbox, STRICT_CONTAINER_POLICY),
    ).toBeUndefined();
  });

  it("refuses host paths, and relative ones that climb out of the sandbox, but not the sandbox's own", () => {
    const vol = (hostPath: string) =>
      task({ docker: image, volumes: [{ containerPath: "/data", hostPath }] });
    expect(containerRefusal(vol("/etc"), sandbox, STRICT_CONTAINER_POLICY)).toMatch(
      /^container\.volumes\[0\]\.hostPath '\/etc': .*--allow-host-volumes/,
    );
    expect(containerRefusal(vol("../../../../../etc"), sandbox, STRICT_CONTAINER_POLICY)).toMatch(/hostPath/);
    expect(containerRefusal(vol("data/cache"), sandbox, STRICT_CONTAINER_POLICY)).toBeUndefined();
    expect(containerRefusal(vol(`${sandbox}/data`), sandbox, STRICT_CONTAINER_POLICY)).toBeUndefined();
    expect(
      containerRefusal(
        task({ docker: image, volumes: [{ containerPath: "/tmp" }] }),
        sandbox,
        STRICT_CONTAINER_POLICY,
      ),
    ).toBeUndefined();
  });

  it("allows both when the agent's flags say so", () => {
    const t = task({
      docker: { ...image, privileged: true },
      volumes: [{ containerPath: "/h", hostPath: "/" }],
    });
    expect(containerRefusal(t, sandbox, allowAll)).toBeUndefined();
  });

  describe("a symlink in the sandbox", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "agora-policy-"));
      await mkdir(path.join(dir, "sandbox"));
      await symlink("/etc", path.join(dir, "sandbox", "link"));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("is followed: a relative path through it is a host path", async () => {
      const t = task({ docker: image, volumes: [{ containerPath: "/x", hostPath: "link/new-dir" }] });
      const err = await checkContainerPolicy(t, path.join(dir, "sandbox"), STRICT_CONTAINER_POLICY).catch(
        (e: unknown) => e,
      );
      expect(isAgentError(err, "LAUNCH_FAILED") && err.reason).toBe("REASON_TASK_UNAUTHORIZED");
      expect((err as Error).message).toMatch(/^container\.volumes\[0\]\.hostPath 'link\/new-dir'/);
      const own = task({ docker: image, volumes: [{ containerPath: "/x", hostPath: "data" }] });
      await expect(
        checkContainerPolicy(own, path.join(dir, "sandbox"), STRICT_CONTAINER_POLICY),
      ).resolves.toBeUndefined();
    });
  });
});
