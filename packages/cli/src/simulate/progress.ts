/**
 * The simulator's progress: on a terminal one line rewritten in place; otherwise (CI logs, pipes)
 * plain lines, at most one every `plainEveryMs`, so a log stays readable.
 */
export class Progress {
  private lastPlain = 0;
  private onLine = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly plainEveryMs = 5000,
  ) {}

  /** A transient status (replaced by the next one). */
  update(text: string): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
      this.onLine = true;
      return;
    }
    const t = Date.now();
    if (t - this.lastPlain < this.plainEveryMs) return;
    this.lastPlain = t;
    this.out.write(`${text}\n`);
  }

  /** A line that stays. */
  line(text: string): void {
    if (this.onLine) this.out.write("\r\x1b[2K");
    this.onLine = false;
    this.out.write(`${text}\n`);
  }
}
