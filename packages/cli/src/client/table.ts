import Table from "cli-table3";

/**
 * Terminal output of the client verbs: aligned tables, key/value blocks and a few colors (only on a
 * terminal, never with `NO_COLOR`).
 */

/** ANSI colors when `stream` is a terminal and `NO_COLOR` is unset. */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const on = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
  const wrap = (open: number, close: number) => (s: string) =>
    on ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    enabled: on,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

export interface Colors {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it strips
export const ANSI = /\u001b\[[0-9;]*m/g;

/** Display width of a cell: without color codes. */
export function visibleLength(s: string): number {
  return s.replace(ANSI, "").length;
}

export interface Column<R> {
  header: string;
  value: (row: R) => string;
  /** Right-aligned (numbers). */
  right?: boolean;
}

/** No borders: columns two spaces apart, as `kubectl get` and `nomad job status` print them. */
const borderless = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

/**
 * An aligned table (cli-table3, which measures cells as the terminal shows them: color codes count
 * for nothing, wide characters for two): a header line, then one line per row.
 */
export function renderTable<R>(columns: readonly Column<R>[], rows: readonly R[], c: Colors): string {
  const table = new Table({
    head: columns.map((col) => c.bold(col.header)),
    colAligns: columns.map((col) => (col.right ? "right" : "left")),
    chars: borderless,
    // Our own colors only (cli-table3 would paint the header red by default).
    style: { "padding-left": 0, "padding-right": 0, head: [], border: [] },
  });
  table.push(...rows.map((r) => columns.map((col) => col.value(r))));
  return `${table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")}\n`;
}

/** `key: value` lines with the keys aligned; undefined values are left out. */
export function renderFields(
  fields: ReadonlyArray<readonly [string, string | undefined]>,
  c: Colors,
): string {
  const shown = fields.filter((f): f is readonly [string, string] => f[1] !== undefined);
  const width = Math.max(0, ...shown.map(([k]) => k.length)) + 1;
  return `${shown.map(([k, v]) => `${c.dim(`${k}:`.padEnd(width))} ${v}`).join("\n")}\n`;
}

/** A task state colored by what it means: green running or finished, red failed, yellow in between. */
export function paintState(state: string, c: Colors): string {
  const short = state.replace(/^TASK_/, "");
  if (/^(RUNNING|FINISHED)$/.test(short)) return c.green(short);
  if (/^(FAILED|ERROR|LOST|DROPPED|GONE|GONE_BY_OPERATOR)$/.test(short)) return c.red(short);
  if (/^(KILLED|UNKNOWN)$/.test(short)) return c.dim(short);
  return c.yellow(short);
}

/** `1.5`, `0.1`: a scalar with at most 3 decimals (Mesos' precision), no trailing zeros. */
export function num(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Megabytes as people read them: `512M`, `1.5G`. */
export function megabytes(mb: number): string {
  return mb >= 1024 ? `${num(Math.round((mb / 1024) * 10) / 10)}G` : `${num(Math.round(mb))}M`;
}

/** How long ago a time in ms was: `5s`, `3m`, `2h`, `4d`. */
export function age(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Cuts a long cell to `max` characters with an ellipsis. */
export function cut(s: string, max: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
