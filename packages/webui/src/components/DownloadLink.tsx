import { type MouseEvent, type ReactNode, useState } from "react";
import { auth } from "../api/auth";
import { downloadFile } from "../api/client";

/**
 * A link that downloads a file the master serves (a sandbox file through its agent proxy). Signed in,
 * a click fetches it with the login's header into a blob, which a plain link cannot carry; without a
 * login the browser's own download runs, which streams a large file to disk instead of into memory.
 * The `href` stays real either way, so the address can be copied.
 */
export function DownloadLink({
  href,
  name,
  label,
  children,
}: {
  href: string;
  /** The file name the download is saved under. */
  name: string;
  label?: string;
  children: ReactNode;
}) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (!auth.token()) return;
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    downloadFile(href, name).then(
      () => {
        setBusy(false);
        setError(undefined);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };
  return (
    <>
      <a href={href} download={name} onClick={onClick} aria-label={label} aria-busy={busy || undefined}>
        {children}
      </a>
      {error && (
        <span className="download-error" role="alert">
          {" "}
          {error}
        </span>
      )}
    </>
  );
}
