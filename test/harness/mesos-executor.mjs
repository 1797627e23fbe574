// A custom Mesos executor, written from Mesos' docs/executor-http-api.md and nothing of Agora's: it
// finds its agent through MESOS_AGENT_ENDPOINT, SUBSCRIBEs to /api/v1/executor, reads the RecordIO
// event stream, and answers each LAUNCH by the task's `data`:
//   (anything else) RUNNING, a MESSAGE to the framework, FINISHED; exits once FINISHED is ACKNOWLEDGED
//   "wait"          RUNNING, then waits for KILL (→ TASK_KILLED) or SHUTDOWN
//   "crash"         RUNNING, then exits with status 3 without ending the task
// A framework MESSAGE is echoed back as "echo: <text>". Every event is logged to events.log in the
// sandbox, and the MESOS_* environment it was started with is written to env.json there.
import { randomBytes } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const sandbox = process.env.MESOS_SANDBOX ?? ".";
const ids = {
  framework_id: { value: process.env.MESOS_FRAMEWORK_ID },
  executor_id: { value: process.env.MESOS_EXECUTOR_ID },
};
const url = `http://${process.env.MESOS_AGENT_ENDPOINT}/api/v1/executor`;
const log = (line) => appendFileSync(path.join(sandbox, "events.log"), `${line}\n`);
writeFileSync(
  path.join(sandbox, "env.json"),
  JSON.stringify(
    Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k.startsWith("MESOS_") || k === "LIBPROCESS_PORT"),
    ),
  ),
);

const TERMINAL = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED"]);
/** Updates sent and not acknowledged yet, by uuid. */
const unacknowledged = new Map();
/** Tasks launched and not ended. */
const live = new Set();

async function call(body) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...ids, ...body }),
  });
  if (res.status !== 202) log(`${body.type} answered ${res.status}: ${await res.text()}`);
}

function update(taskId, state, message) {
  const uuid = randomBytes(16).toString("base64");
  unacknowledged.set(uuid, { taskId, state });
  if (TERMINAL.has(state)) live.delete(taskId);
  return call({
    type: "UPDATE",
    update: {
      status: {
        task_id: { value: taskId },
        state,
        source: "SOURCE_EXECUTOR",
        executor_id: ids.executor_id,
        uuid,
        ...(message ? { message } : {}),
      },
    },
  });
}

const base64 = (text) => Buffer.from(text, "utf8").toString("base64");

async function onEvent(event) {
  switch (event.type) {
    case "SUBSCRIBED":
      log(
        `SUBSCRIBED ${event.subscribed.executor_info.executor_id.value} on ${event.subscribed.agent_info.id.value}`,
      );
      return;
    case "LAUNCH": {
      const task = event.launch.task;
      const id = task.task_id.value;
      const data = task.data ? Buffer.from(task.data, "base64").toString("utf8") : "";
      log(`LAUNCH ${id} ${data}`);
      live.add(id);
      await update(id, "TASK_RUNNING");
      if (data === "crash") process.exit(3);
      if (data === "wait") return;
      await call({ type: "MESSAGE", message: { data: base64(`hello from ${id}`) } });
      await update(id, "TASK_FINISHED", `done with '${data}'`);
      return;
    }
    case "KILL":
      log(`KILL ${event.kill.task_id.value}`);
      await update(event.kill.task_id.value, "TASK_KILLED", "killed by its executor");
      return;
    case "ACKNOWLEDGED": {
      const acked = unacknowledged.get(event.acknowledged.uuid);
      log(`ACKNOWLEDGED ${event.acknowledged.task_id.value} ${acked?.state ?? "unknown uuid"}`);
      unacknowledged.delete(event.acknowledged.uuid);
      if (acked && TERMINAL.has(acked.state) && live.size === 0 && unacknowledged.size === 0) process.exit(0);
      return;
    }
    case "MESSAGE": {
      const text = Buffer.from(event.message.data, "base64").toString("utf8");
      log(`MESSAGE ${text}`);
      await call({ type: "MESSAGE", message: { data: base64(`echo: ${text}`) } });
      return;
    }
    case "SHUTDOWN":
      log("SHUTDOWN");
      process.exit(0);
      return;
    default:
      log(event.type);
  }
}

const res = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json" },
  body: JSON.stringify({
    ...ids,
    type: "SUBSCRIBE",
    subscribe: { unacknowledged_tasks: [], unacknowledged_updates: [] },
  }),
});
if (res.status !== 200) {
  log(`SUBSCRIBE answered ${res.status}: ${await res.text()}`);
  process.exit(2);
}
// RecordIO: "<length>\n<json>", records back to back.
let buffer = Buffer.alloc(0);
let events = Promise.resolve();
for await (const chunk of res.body) {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const newline = buffer.indexOf(10);
    if (newline < 0) break;
    const length = Number(buffer.subarray(0, newline).toString("ascii"));
    if (buffer.length < newline + 1 + length) break;
    const event = JSON.parse(buffer.subarray(newline + 1, newline + 1 + length).toString("utf8"));
    buffer = buffer.subarray(newline + 1 + length);
    // One at a time, in the order the agent sent them.
    events = events.then(() => onEvent(event));
  }
}
await events;
log("stream ended");
process.exit(1);
