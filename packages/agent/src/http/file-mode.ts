import type { Stats } from "node:fs";

/** `ls -l`'s mode string (`drwxr-xr-x`), which Mesos' `/files/browse` reports. */
export function modeString(stats: Stats): string {
  const type = stats.isDirectory()
    ? "d"
    : stats.isSymbolicLink()
      ? "l"
      : stats.isFIFO()
        ? "p"
        : stats.isSocket()
          ? "s"
          : stats.isCharacterDevice()
            ? "c"
            : stats.isBlockDevice()
              ? "b"
              : "-";
  const m = stats.mode;
  const bit = (mask: number, ch: string) => (m & mask ? ch : "-");
  const exec = (mask: number, special: number, set: string) =>
    m & special ? (m & mask ? set : set.toUpperCase()) : m & mask ? "x" : "-";
  return (
    type +
    bit(0o400, "r") +
    bit(0o200, "w") +
    exec(0o100, 0o4000, "s") +
    bit(0o040, "r") +
    bit(0o020, "w") +
    exec(0o010, 0o2000, "s") +
    bit(0o004, "r") +
    bit(0o002, "w") +
    exec(0o001, 0o1000, "t")
  );
}
