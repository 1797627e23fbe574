import { lazy, Suspense } from "react";
import type { JsonEditorProps } from "./json-errors";
import { Loading } from "./States";

// CodeMirror is loaded with the first editor shown, never with the dashboard's first load.
const JsonCodeEditor = lazy(() => import("./JsonCodeEditor"));

/** A JSON editor showing a syntax error and the server's field errors at the text they concern. */
export function JsonEditor(props: JsonEditorProps) {
  return (
    <Suspense fallback={<Loading what="the editor" />}>
      <JsonCodeEditor {...props} />
    </Suspense>
  );
}
