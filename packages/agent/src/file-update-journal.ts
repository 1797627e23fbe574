import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { StatusUpdate } from "@agora/protocol";
import type { UpdateJournal } from "./update-journal.js";

/**
 * The checkpointing journal: each update is one file `<dir>/<seq>-<uuid>.json`, written and
 * fsync'd before the update is first sent and removed when its acknowledgement arrives. `seq`
 * grows across restarts, so `recover` returns the updates in the order they were appended (hence
 * in order per task). Synchronous on purpose: the update must be on disk before `enqueue` returns
 * and the manager sends it.
 */
export class FileUpdateJournal implements UpdateJournal {
  private readonly files = new Map<string, string>();
  private seq = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  append(update: StatusUpdate): void {
    const file = path.join(this.dir, `${String(++this.seq).padStart(12, "0")}-${update.status.uuid}.json`);
    const fd = openSync(file, "w");
    try {
      writeSync(fd, JSON.stringify(update));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.files.set(update.status.uuid, file);
  }

  acknowledge(update: StatusUpdate): void {
    const file = this.files.get(update.status.uuid);
    if (file === undefined) return;
    this.files.delete(update.status.uuid);
    rmSync(file, { force: true });
  }

  /** Reads every journalled update back; a file that does not parse (a torn write) is dropped. */
  recover(): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const file = path.join(this.dir, name);
      const seq = Number(name.split("-")[0]);
      if (Number.isFinite(seq)) this.seq = Math.max(this.seq, seq);
      const parsed = name.endsWith(".json") ? parse(file) : undefined;
      if (!parsed) {
        rmSync(file, { force: true });
        continue;
      }
      this.files.set(parsed.status.uuid, file);
      out.push(parsed);
    }
    return out;
  }
}

function parse(file: string): StatusUpdate | undefined {
  try {
    const parsed = StatusUpdate.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
