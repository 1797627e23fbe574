import { type ReactNode, useEffect, useId, useRef } from "react";

/**
 * A confirmation in the browser's own modal `<dialog>` (focus moved into it and kept there, Escape
 * cancels, the page behind inert), rather than `window.confirm`, so it can say what will happen in
 * more than one line, follow the theme, and be audited and screenshot like the rest of the page.
 * The dangerous action is never the focused default: Cancel is.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div id={bodyId}>{children}</div>
      <div className="toolbar dialog-actions">
        {/* biome-ignore lint/a11y/noAutofocus: in a modal dialog the safe choice takes the focus */}
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
