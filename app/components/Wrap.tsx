import type React from "react";
/** A table cell's text that wraps: Polaris's DataTable keeps cells on one line, so long phrases would scroll the table. */
export function Wrap({ children, minWidth = 160 }: { children: React.ReactNode; minWidth?: number }) {
  return <div style={{ whiteSpace: "normal", minWidth, maxWidth: 320 }}>{children}</div>;
}
