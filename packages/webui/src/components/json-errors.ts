/**
 * The line (1-based) of the JSON text where the field at a Marathon error path (`/cmd`,
 * `/container/docker/image`, `/healthChecks(0)/path`) is written: the last named segment's key,
 * searched after its parents'; undefined for `/` or a field not in the text.
 */
export function lineOfPath(text: string, path: string): number | undefined {
  const names = path
    .split("/")
    .map((s) => s.replace(/\(\d+\)$|\[\d+\]$/, ""))
    .filter((s) => s && !/^\d+$/.test(s));
  if (names.length === 0) return undefined;
  let from = 0;
  let at = -1;
  for (const name of names) {
    at = text.indexOf(`"${name}"`, from);
    if (at < 0) return undefined;
    from = at + name.length + 2;
  }
  return text.slice(0, at).split("\n").length;
}

/** Parses the editor's text; a syntax error comes back with its message instead of throwing. */
export function parseJsonObject(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { error: "The app must be a JSON object" };
    return { value: value as Record<string, unknown> };
  } catch (e) {
    return { error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}
