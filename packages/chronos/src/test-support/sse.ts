/** Reads a server-sent event stream one frame at a time: `{event, data}`, or `{comment}` for a `:` line. */
export function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async (): Promise<{ event?: string; data?: Record<string, unknown>; comment?: string }> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith(":")) return { comment: frame.slice(1).trim() };
        const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
        const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null");
        return { event, data };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
}
