/** Short, single-line rendering of received data for `actual` fields. */
export function preview(value: unknown, max = 120): string {
  let text: string;
  if (value === undefined) text = '(absent)';
  else if (Buffer.isBuffer(value)) text = value.toString('utf8');
  else text = JSON.stringify(value) ?? String(value);
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
