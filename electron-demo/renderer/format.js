// Formatting shared by the lists, the sync bar and the dialogs. Money is kept in integer cents everywhere; only the
// screen shows euros.

// No grouping: "€1234.50" stays easy to type back into the amount field and to search for.
const euro = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR', useGrouping: false });

export function money(cents) {
  if (cents == null || cents === '') return '–';
  return euro.format(Number(cents) / 100);
}

/** "45.50", "45,5", "€ 45" -> cents (4550, 4550, 4500); anything else -> null. Parsed as text: no float drift. */
export function parseEuros(text) {
  const clean = String(text ?? '').trim().replace(/^€\s*/, '').replace(',', '.');
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(clean);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const pad = (n) => String(n).padStart(2, '0');

/** A local wall-clock time "14:03:07" (no AM/PM: the desk reads 24-hour time). */
export function clock(ms) {
  if (ms == null || ms === '' || !Number.isFinite(Number(ms)) || Number(ms) <= 0) return 'never';
  const d = new Date(Number(ms));
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A timestamp column for display: an instant with a zone ("...Z") becomes local "2026-12-02 10:00"; a wall-clock
 * value like "2026-12-02T10:00" only loses its "T" and seconds.
 */
export function dateTime(value) {
  if (value == null || value === '') return '';
  const text = String(value);
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const d = new Date(text);
    if (!Number.isNaN(d.getTime())) {
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
        + `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }
  }
  return text.replace('T', ' ').slice(0, 16);
}

/** "Maria Keller" -> "MK", for the photo placeholder. */
export function initials(name) {
  const parts = String(name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = parts[0][0];
  const last = parts.length > 1 ? parts[parts.length - 1][0] : '';
  return (first + last).toUpperCase();
}

/** A stable small number for a string: picks one of the placeholder colours, so a person keeps theirs. */
export function hue(text, buckets = 6) {
  let sum = 0;
  for (const ch of String(text)) sum = (sum * 31 + ch.codePointAt(0)) >>> 0;
  return sum % buckets;
}

/** "<code>: <message>", as toasts and the sync bar show failures. */
export function describeError(error) {
  if (!error) return '';
  const code = error.code || 'ERR_UNKNOWN';
  return `${code}: ${error.message || String(error)}`;
}
