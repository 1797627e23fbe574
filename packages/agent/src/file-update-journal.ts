import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { isTerminalState, StatusUpdate } from "@agora/protocol";
import { z } from "zod";
import { AppendLog, parseJson, readLines } from "./append-log.js";
import type { UpdateJournal } from "./update-journal.js";

/** The journal's file in its directory. */
export const JOURNAL_FILE = "journal.log";

/** One line of the journal: an update appended, or the acknowledgement of one (by uuid). */
const JournalRecord = z.union([
  z.object({ update: StatusUpdate }).strict(),
  z.object({ ack: z.string().min(1) }).strict(),
]);
type JournalRecord = z.infer<typeof JournalRecord>;

/** Past this size, the journal is rewritten with only its unacknowledged updates. */
const COMPACT_BYTES = 4 * 1024 * 1024;

/**
 * The checkpointing journal, an append-only log `<dir>/journal.log` of JSON lines, as Mesos' status
 * update manager keeps UPDATE and ACK records per task. Every update is appended at once, before it
 * is sent: a `write` to the page cache, which outlives the agent process, so a restarted agent
 * resends whatever it sent and was not acknowledged (at least once through any agent crash).
 *
 * A machine crash loses the page cache too, and with it the task's process. Mesos then needs none of
 * its updates (it writes them without `O_SYNC` or `fsync` since 1.1: its updates file is "only read
 * if the host did not crash"). Here the task's checkpoint is durable before its RUNNING leaves, so a
 * rebooted agent reports the task ended (TASK_FAILED) even without the journal; what it cannot
 * rebuild is how the task ended. So a terminal update is also made durable before it is sent, by an
 * `fdatasync` off the event loop (`append` resolves after it; the status update manager sends the
 * update only then); updates appended while one runs share the next one (group commit), so a burst
 * costs a few syncs, not one each. A non-terminal update (RUNNING above all, on every launch's path)
 * waits for no disk: `append` returns nothing, and the next sync makes it durable with the rest.
 * Acknowledgements are appended without a sync of their own (they ride on the next one): an
 * acknowledgement lost in a crash makes the next agent resend an update already acknowledged, which
 * at-least-once delivery allows.
 *
 * The log is emptied when nothing in it is unacknowledged and rewritten (atomically: write, fsync,
 * rename, fsync the directory) past `COMPACT_BYTES`. Updates journalled by older agents as one file
 * per update (`<seq>-<uuid>.json`) are recovered, moved into the log and their files removed.
 */
export class FileUpdateJournal implements UpdateJournal {
  private readonly log: AppendLog;
  /** Unacknowledged updates by uuid, in append order (for a compaction). */
  private readonly live = new Map<string, StatusUpdate>();

  constructor(private readonly dir: string) {
    // The agent's alone (updates carry tasks' messages; an older agent left it open to reading), not
    // the directories made above it: the work directory must stay open to tasks run as other users,
    // whose sandboxes are in it.
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o700);
    this.log = new AppendLog(dir, JOURNAL_FILE, { onIdle: () => this.compactIfDue() });
  }

  append(update: StatusUpdate): Promise<void> | undefined {
    this.live.set(update.status.uuid, update);
    this.log.append(JSON.stringify({ update }));
    return isTerminalState(update.status.state) ? this.log.sync() : undefined;
  }

  acknowledge(update: StatusUpdate): void {
    if (!this.live.delete(update.status.uuid)) return;
    this.log.append(JSON.stringify({ ack: update.status.uuid }));
    this.compactIfDue();
  }

  /**
   * Reads every journalled, unacknowledged update back, in append order, and rewrites the log with
   * them alone. A line that does not parse (a write torn by a crash) is skipped.
   */
  recover(): StatusUpdate[] {
    const { records, legacy } = journalRecords(this.dir, this.log.lines());
    this.live.clear();
    for (const update of unacknowledged(records)) this.live.set(update.status.uuid, update);
    this.rewrite();
    for (const name of legacy) rmSync(path.join(this.dir, name), { force: true });
    return [...this.live.values()];
  }

  /**
   * Closes the journal's file once the syncs under way have ended (an agent that stops); a later
   * append opens it again.
   */
  close(): void {
    this.log.close();
  }

  private compactIfDue(): void {
    // Never under a running or awaited sync: its descriptor must stay open until it has settled.
    if (this.log.busy) return;
    // Nothing to keep: an emptied log need not be durable (a crash keeps the old one, all of it acknowledged).
    if (this.live.size === 0) this.log.truncate();
    else if (this.log.bytes > COMPACT_BYTES) this.rewrite();
  }

  /** Replaces the log with the unacknowledged updates, atomically and durably. */
  private rewrite(): void {
    this.log.replace([...this.live.values()].map((update) => JSON.stringify({ update })));
  }
}

/**
 * The unacknowledged updates journalled in `dir`, in append order, read without changing anything
 * (the journal of an agent that may be running).
 */
export function journalledUpdates(dir: string): StatusUpdate[] {
  if (!existsSync(dir)) return [];
  return unacknowledged(journalRecords(dir, readLines(path.join(dir, JOURNAL_FILE))).records);
}

/** The records of the log's `lines`, after those of an older agent's per-update files (`legacy`). */
function journalRecords(
  dir: string,
  lines: readonly string[],
): { records: JournalRecord[]; legacy: string[] } {
  const records: JournalRecord[] = [];
  const legacy = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  for (const name of legacy) {
    const update = parseUpdate(path.join(dir, name));
    if (update) records.push({ update });
  }
  for (const line of lines) {
    const record = parseJson(JournalRecord, line);
    if (record) records.push(record);
  }
  return { records, legacy };
}

/**
 * The updates of `records` (in order) not acknowledged. Only a task's oldest update is ever in flight,
 * so an acknowledgement also settles every earlier update of its task, even if their own
 * acknowledgements were lost (they were not synced): a recovered agent never resends a RUNNING after
 * the task's acknowledged FINISHED.
 */
export function unacknowledged(records: readonly JournalRecord[]): StatusUpdate[] {
  const updates = new Map<string, StatusUpdate>();
  /** Each task's updates still unacknowledged, oldest first, by uuid. */
  const byTask = new Map<string, string[]>();
  const taskOf = (u: StatusUpdate) => `${u.frameworkId}\u0000${u.status.taskId}`;
  for (const record of records) {
    if ("update" in record) {
      const uuid = record.update.status.uuid;
      updates.set(uuid, record.update);
      const key = taskOf(record.update);
      const queue = byTask.get(key) ?? [];
      byTask.set(key, queue);
      queue.push(uuid);
      continue;
    }
    const acked = updates.get(record.ack);
    if (!acked) continue;
    const queue = byTask.get(taskOf(acked))!;
    for (const uuid of queue.splice(0, queue.indexOf(record.ack) + 1)) updates.delete(uuid);
  }
  return [...updates.values()];
}

/** A per-update file an older agent wrote; undefined when torn. */
function parseUpdate(file: string): StatusUpdate | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return parseJson(StatusUpdate, text);
}
