import { readFile } from "node:fs/promises";

async function readIdTable(file: string): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  try {
    for (const line of (await readFile(file, "utf8")).split("\n")) {
      const [name, , id] = line.split(":");
      if (name && id !== undefined && /^\d+$/.test(id)) names.set(Number(id), name);
    }
  } catch {
    // No table (a minimal container): numeric ids it is.
  }
  return names;
}

/** User and group names for `/files/browse`, as Mesos shows them; read once from /etc/passwd and /etc/group. */
export class AccountNames {
  private tables: Promise<{ users: Map<number, string>; groups: Map<number, string> }> | undefined;

  async names(uid: number, gid: number): Promise<{ uid: string; gid: string }> {
    this.tables ??= Promise.all([readIdTable("/etc/passwd"), readIdTable("/etc/group")]).then(
      ([users, groups]) => ({
        users,
        groups,
      }),
    );
    const { users, groups } = await this.tables;
    return { uid: users.get(uid) ?? String(uid), gid: groups.get(gid) ?? String(gid) };
  }
}
