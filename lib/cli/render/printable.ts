// Text from registries, lockfiles and bundles reaches the terminal through here: control characters
// (ANSI escapes, carriage returns) are shown escaped, never interpreted, so a package name or an error
// message cannot rewrite the report or the screen.

// C0 controls, DEL and C1 controls; printable Unicode passes through.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with every control character replaced by a visible `\xNN` escape. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
