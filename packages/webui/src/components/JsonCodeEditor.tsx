import { json } from "@codemirror/lang-json";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import CodeMirror, { EditorView, type ReactCodeMirrorRef } from "@uiw/react-codemirror";
import { useEffect, useMemo, useRef, useState } from "react";
import { testIds } from "../testids";
import { jsonDiagnostics, lineAt } from "./json-diagnostics";
import type { JsonEditorProps } from "./json-errors";

const DARK = "(prefers-color-scheme: dark)";

/** Dark when the page is: the theme switch's `data-theme`, else the system's preference. */
function pageIsDark(): boolean {
  const chosen = document.documentElement.getAttribute("data-theme");
  return chosen ? chosen === "dark" : window.matchMedia(DARK).matches;
}

function useDarkPage(): boolean {
  const [dark, setDark] = useState(pageIsDark);
  useEffect(() => {
    const update = () => setDark(pageIsDark());
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    const media = window.matchMedia(DARK);
    media.addEventListener("change", update);
    return () => {
      observer.disconnect();
      media.removeEventListener("change", update);
    };
  }, []);
  return dark;
}

/**
 * CodeMirror 6 with JSON syntax; a syntax error and the server's field errors are lint
 * diagnostics on the text they concern (underlined, in the gutter, explained on hover), and listed
 * under the editor with their line for keyboard and screen-reader users.
 */
export default function JsonCodeEditor({ id, label, value, onChange, errors }: JsonEditorProps) {
  const editor = useRef<ReactCodeMirrorRef>(null);
  const dark = useDarkPage();
  const diagnostics = useMemo(() => jsonDiagnostics(value, errors), [value, errors]);
  const latest = useRef(diagnostics);
  latest.current = diagnostics;
  const extensions = useMemo(
    () => [
      json(),
      lintGutter(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        "aria-label": label,
        "aria-describedby": `${id}-errors`,
        "data-testid": testIds.appEditor,
      }),
    ],
    [id, label],
  );
  // Diagnostics are a function of the text and the server's answer, set whole after each change.
  useEffect(() => {
    const view = editor.current?.view;
    if (view) view.dispatch(setDiagnostics(view.state, diagnostics));
  }, [diagnostics]);
  const invalid = diagnostics.length > 0;
  return (
    <>
      <span id={`${id}-label`} className="label">
        {label}
      </span>
      <div className={`editor${invalid ? " editor-invalid" : ""}`} id={id}>
        <CodeMirror
          ref={editor}
          value={value}
          onChange={onChange}
          extensions={extensions}
          theme={dark ? "dark" : "light"}
          minHeight="18rem"
          basicSetup={{ foldGutter: false, autocompletion: false, searchKeymap: false }}
          onCreateEditor={(view) => view.dispatch(setDiagnostics(view.state, latest.current))}
        />
      </div>
      <div id={`${id}-errors`} aria-live="polite">
        {invalid && (
          <ul className="field-errors" data-testid={testIds.fieldError}>
            {diagnostics.map((d) => (
              <li key={`${d.source}@${d.from}`} className="field-error">
                {d.source !== "JSON" && <code>{d.source}</code>} (line {lineAt(value, d.from)}): {d.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
