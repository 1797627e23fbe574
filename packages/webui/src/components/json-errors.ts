export interface JsonEditorProps {
  id: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  /** The server's field errors, `{path: messages}` as Marathon and Chronos answer a refused body. */
  errors: ReadonlyMap<string, readonly string[]>;
}

/** Parses the editor's text; a syntax error comes back with its message instead of throwing. */
export function parseJsonObject(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { error: "The definition must be a JSON object" };
    return { value: value as Record<string, unknown> };
  } catch (e) {
    return { error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}
