import { expect } from "vitest";

/** Reads a server-sent event stream into frames until `until` holds for the frames read so far. */
export async function readEvents(
  url: string,
  until: (frames: Frame[]) => boolean,
  headers: Record<string, string> = {},
  onFrame: (frame: Frame) => void = () => {},
): Promise<Frame[]> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const frames: Frame[] = [];
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of res.body!) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffered.indexOf("\n\n");
      while (end >= 0) {
        const frame = parseFrame(buffered.slice(0, end));
        frames.push(frame);
        onFrame(frame);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf("\n\n");
      }
      if (until(frames)) break;
    }
  } finally {
    controller.abort();
  }
  return frames;
}

export interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

function parseFrame(text: string): Frame {
  const f: Frame = {};
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) f.comment = line.slice(1).trim();
    const i = line.indexOf(": ");
    if (i < 0) continue;
    const key = line.slice(0, i);
    if (key === "id" || key === "event" || key === "data") f[key] = line.slice(i + 2);
  }
  return f;
}
