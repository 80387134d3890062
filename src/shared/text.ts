// The one sanitizer for text that comes from the Arlo cloud (device names, models, factor
// nicknames, error messages) before anything prints or shows it: control characters could move a
// terminal's cursor, forge log lines or recolour output, and bidirectional overrides can make a
// name read as something else in the UI.

// C0 controls (tab and newline too: a name is one line), DEL, C1 controls, and the bidirectional
// embedding, override and isolate characters.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without control characters; runs of them become one space, so words stay apart. */
export function printable(text: string): string {
  return text.replace(new RegExp(`(?:${UNPRINTABLE.source})+`, 'g'), ' ').trim();
}
