import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { getJson } from "../api/client";
import { FileRead } from "../api/schemas";
import { testIds } from "../testids";
import { DownloadLink } from "./DownloadLink";

/** Lines kept in the browser; older ones fall off (the whole file stays downloadable). */
export const MAX_LINES = 5000;
/** How much of an existing file is shown when the tail opens. */
const INITIAL_BYTES = 64 * 1024;

/** A bounded line buffer fed with text chunks that may end mid-line. */
export class LineRing {
  lines: string[] = [];
  private partial = "";
  version = 0;

  constructor(readonly max = MAX_LINES) {}

  push(chunk: string): void {
    if (!chunk) return;
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    if (parts.length) {
      this.lines.push(...parts);
      if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
    }
    this.version++;
  }

  /** Complete lines, then the line still being written. */
  view(): string[] {
    return this.partial ? [...this.lines, this.partial] : this.lines;
  }
}

/**
 * A live tail of one sandbox file through the master's agent proxy: polls `/files/read` from the
 * last offset every second, keeps a bounded ring of lines, renders only the lines in view, and
 * follows the end only while the reader is at the bottom (or until paused).
 */
export function LogTail({ agentId, path, name }: { agentId: string; path: string; name: string }) {
  const ring = useRef(new LineRing());
  const [version, setVersion] = useState(0);
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const follow = useRef(true);
  const scroller = useRef<HTMLDivElement>(null);
  const base = `/agents/${encodeURIComponent(agentId)}/files`;

  useEffect(() => {
    ring.current = new LineRing();
    setVersion(0);
    let offset = -1;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        if (offset < 0) {
          const size = (await getJson(`${base}/read?path=${encodeURIComponent(path)}&offset=-1`, FileRead))
            .offset;
          offset = Math.max(0, size - INITIAL_BYTES);
        }
        for (let i = 0; i < 8 && !stopped; i++) {
          const r = await getJson(`${base}/read?path=${encodeURIComponent(path)}&offset=${offset}`, FileRead);
          if (!r.data) break;
          ring.current.push(r.data);
          offset = r.offset + new TextEncoder().encode(r.data).length;
        }
        if (!stopped) {
          setVersion(ring.current.version);
          setError(undefined);
        }
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : String(e));
      }
      if (!stopped) timer = setTimeout(tick, 1000);
    };
    if (!paused) void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [base, path, paused]);

  const lines = ring.current.view();
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 18,
    overscan: 20,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: follows each new version of the buffer
  useEffect(() => {
    if (follow.current && lines.length) virtualizer.scrollToIndex(lines.length - 1, { align: "end" });
  }, [version]);

  const onScroll = () => {
    const el = scroller.current;
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };

  return (
    <section className="log" aria-label={`${name} of the task`} data-testid={testIds.logTail(name)}>
      <div className="log-toolbar">
        <h3>{name}</h3>
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
          {paused ? "Resume" : "Pause"}
        </button>
        <DownloadLink href={`${base}/download?path=${encodeURIComponent(path)}`} name={name}>
          Download
        </DownloadLink>
        {error && (
          <span className="log-error" role="alert">
            {error}
          </span>
        )}
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be reachable by keyboard to scroll it */}
      <div ref={scroller} className="log-body" onScroll={onScroll} tabIndex={0}>
        {lines.length === 0 ? (
          <p className="state-empty">{paused ? "Paused." : `Nothing in ${name} yet.`}</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => (
              <div
                key={item.key}
                className="log-line"
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  right: 0,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                {lines[item.index]}
              </div>
            ))}
          </div>
        )}
      </div>
    </section>
  );
}
