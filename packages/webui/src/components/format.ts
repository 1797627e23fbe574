/** Memory and disk in Mesos are MB: shown in the largest unit that keeps the number readable. */
export function formatMb(mb: number): string {
  if (mb >= 1024 * 1024) return `${round(mb / (1024 * 1024))} TB`;
  if (mb >= 1024) return `${round(mb / 1024)} GB`;
  return `${round(mb)} MB`;
}

export function formatCpus(cpus: number): string {
  return `${round(cpus)}`;
}

export function formatResource(name: string, value: number): string {
  return name === "mem" || name === "disk" ? formatMb(value) : formatCpus(value);
}

function round(n: number): string {
  return n >= 100
    ? n.toFixed(0)
    : n >= 10
      ? n.toFixed(1).replace(/\.0$/, "")
      : n.toFixed(2).replace(/\.?0+$/, "");
}

/** "3m ago" from seconds since the epoch (Mesos' timestamps) or milliseconds when `ms`. */
export function ago(time: number, now = Date.now(), ms = false): string {
  const s = Math.max(0, Math.round((now - (ms ? time : time * 1000)) / 1000));
  return `${duration(s)} ago`;
}

/** A duration in seconds as "2h 5m", "5m 3s", "42s". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** An absolute time, in the viewer's zone, from seconds since the epoch. */
export function dateTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(undefined, { hour12: false });
}

/** TASK_RUNNING → running. */
export function stateLabel(state: string): string {
  return state
    .replace(/^TASK_/, "")
    .toLowerCase()
    .replace(/_/g, " ");
}
