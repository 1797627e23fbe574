import { testIds } from "../testids";
import { lineOfPath, parseJsonObject } from "./json-errors";

/**
 * A JSON text editor with line numbers, the server's field errors (`{path: messages}`, as Marathon
 * and Chronos answer a refused body) listed under it and marked on the field's line, and a syntax
 * error as soon as the text is not a JSON object.
 */
export function JsonEditor({
  id,
  label,
  value,
  onChange,
  errors,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  errors: Map<string, string[]>;
}) {
  const parsed = parseJsonObject(value);
  const lines = value.split("\n").length;
  const errorLines = new Map<number, string>();
  for (const [path, messages] of errors) {
    const line = lineOfPath(value, path);
    if (line !== undefined) errorLines.set(line, `${path}: ${messages.join("; ")}`);
  }
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div className="editor">
        <div className="editor-gutter" aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: a line number is the line's identity
              key={i}
              className={errorLines.has(i + 1) ? "gutter-error" : undefined}
              title={errorLines.get(i + 1)}
            >
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          id={id}
          data-testid={testIds.appEditor}
          className="code editor-text"
          rows={Math.max(12, lines + 1)}
          spellCheck={false}
          value={value}
          aria-invalid={errors.size > 0 || "error" in parsed}
          aria-describedby={`${id}-errors`}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
      <div id={`${id}-errors`} aria-live="polite">
        {"error" in parsed && <p className="field-error">{parsed.error}</p>}
        {errors.size > 0 && (
          <ul className="field-errors" data-testid={testIds.fieldError}>
            {[...errors].map(([path, messages]) => {
              const line = lineOfPath(value, path);
              return (
                <li key={path} className="field-error">
                  <code>{path}</code>
                  {line ? ` (line ${line})` : ""}: {messages.join("; ")}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </>
  );
}
