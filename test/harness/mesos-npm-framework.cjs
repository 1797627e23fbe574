// A Mesos framework written with the npm package `mesos-framework` (tobilg/mesos-framework), used as
// its README shows, unchanged: it runs TASKS command tasks, prints each status update, and once all
// have FINISHED tears itself down and exits 0 (1 on any other terminal state, 2 after DEADLINE_MS).
// The package is loaded from MESOS_FRAMEWORK_PREFIX (an `npm install --prefix` directory); the
// master is 127.0.0.1:MASTER_PORT.
"use strict";
const { Scheduler, Mesos } = require(
  require.resolve("mesos-framework", { paths: [process.env.MESOS_FRAMEWORK_PREFIX] }),
);

const mesos = Mesos.getMesos();
const tasks = Number(process.env.TASKS || 2);
const scheduler = new Scheduler({
  masterUrl: "127.0.0.1",
  port: Number(process.env.MASTER_PORT),
  frameworkName: "mesos-framework-npm",
  logging: { level: "info" },
  // Finished tasks are done (the library restarts tasks that end in these states).
  restartStates: ["TASK_FAILED", "TASK_LOST", "TASK_ERROR"],
  tasks: {
    hello: {
      priority: 1,
      instances: tasks,
      commandInfo: new mesos.CommandInfo(null, null, true, 'echo "hello from $MESOS_TASK_ID"', null, null),
      resources: { cpus: 0.1, mem: 32, ports: 0, disk: 0 },
    },
  },
});

const finished = new Set();
scheduler.on("subscribed", (s) => console.log(`SUBSCRIBED ${s.frameworkId}`));
scheduler.on("error", (e) => console.log(`ERROR ${e.message || JSON.stringify(e)}`));
scheduler.on("update", (update) => {
  const status = update.status;
  console.log(`UPDATE ${status.task_id.value} ${status.state}`);
  if (status.state === "TASK_FINISHED") finished.add(status.task_id.value);
  else if (status.state !== "TASK_RUNNING" && status.state !== "TASK_STARTING") process.exitCode = 1;
  if (finished.size === tasks) {
    console.log("ALL FINISHED");
    // Let the library's ACKNOWLEDGE of this last update go out before the framework is removed.
    setTimeout(() => {
      scheduler.teardown();
      setTimeout(() => process.exit(process.exitCode ?? 0), 500);
    }, 500);
  }
});
scheduler.on("ready", () => scheduler.subscribe());
setTimeout(
  () => {
    console.log("DEADLINE");
    process.exit(2);
  },
  Number(process.env.DEADLINE_MS || 60000),
);
