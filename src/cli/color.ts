/**
 * Colour, decided once: none with --json, --no-color, a non-empty NO_COLOR, or a non-TTY.
 */
export function colorEnabled(o: { json: boolean; noColor: boolean; isTTY: boolean; env: NodeJS.ProcessEnv }): boolean {
  if (o.json || o.noColor || !o.isTTY) return false;
  if (o.env.NO_COLOR !== undefined && o.env.NO_COLOR !== '') return false;
  return true;
}

const CODES: Record<string, string> = { '✓': '32', '✗': '31', '!': '33', '?': '35', '-': '90' };

/** Colours the status mark at the start of each finding line. */
export function paint(text: string, color: boolean): string {
  if (!color) return text;
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*)([✓✗!?-]) /.exec(line);
      if (!m) return line;
      const code = CODES[m[2]!];
      return `${m[1]}\u001b[${code}m${m[2]}\u001b[0m${line.slice(m[0].length - 1)}`;
    })
    .join('\n');
}
