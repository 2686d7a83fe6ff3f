/**
 * Turning spreadsheet and export values into the types RawItem wants. Each function returns
 * undefined when it cannot, and the caller names the field in its error.
 */

const ZONE_RE = /^(?:Z|UTC|GMT|([+-])(\d{2}):?(\d{2}))$/i;

/** "+08:00" / "+0800" / "Z" / "UTC" → minutes east of UTC. */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const m = ZONE_RE.exec(zone.trim());
  if (!m) return undefined;
  if (!m[1]) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

// 2025-03-01, 2025/3/1 8:00, 2025.03.01T08:00:00.123+08:00, 2025年3月1日 08:00, 2015-02-24 11:35:52 -0800
const YMD_RE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:(?:T|\s+)(\d{1,2})[:时點点](\d{1,2})(?:[:分](\d{1,2})(?:[.,](\d{1,9}))?秒?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;
// US exports (CFPB): 3/1/2025, 03/01/2025 08:00 — month first.
const MDY_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;
const EPOCH_RE = /^-?\d{9,13}(?:\.\d+)?$/;
const MONTH_RE = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b/i;
const HAS_ZONE_RE = /(?:\b(?:Z|UTC|GMT)\b|[+-]\d{2}:?\d{2}\s*(?:\d{4})?$|[+-]\d{4}\b)/i;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  return mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS[mo - 1]!;
}

function fromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, offset: number): string | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  // Date.UTC would roll 2025-02-30 over into March; such a date is a typo, not a date.
  if (d > daysInMonth(y, mo)) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms) - offset * 60_000).toISOString();
}

/**
 * A date-time as ISO 8601 in UTC, from ISO strings, "2025-03-01 08:00:00", "2025/3/1",
 * "2025年3月1日", US "3/1/2025", RFC 2822 and Twitter dates, or epoch seconds / milliseconds.
 * Values without a zone are read in `zone` (default UTC).
 */
export function parseDateTime(value: unknown, zone = 'Z'): string | undefined {
  const defaultOffset = zoneOffsetMinutes(zone) ?? 0;
  if (typeof value === 'number') return fromEpoch(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (!s) return undefined;
  if (EPOCH_RE.test(s)) return fromEpoch(Number(s));
  let m = YMD_RE.exec(s);
  if (m) {
    const offset = m[8] ? zoneOffsetMinutes(m[8])! : defaultOffset;
    return fromParts(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], offset);
  }
  m = MDY_RE.exec(s);
  if (m) {
    const offset = m[7] ? zoneOffsetMinutes(m[7])! : defaultOffset;
    return fromParts(+m[3]!, +m[1]!, +m[2]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), undefined, offset);
  }
  // Month names: "Tue Oct 31 22:10:47 +0000 2017", "Mon, 03 Mar 2025 08:00:00 GMT", "March 1, 2025".
  // V8's fallback parser accepts nonsense ("yesterday" → 2000-01-01), so ask for a month name and a year.
  if (MONTH_RE.test(s) && /\b\d{4}\b/.test(s)) {
    const withZone = HAS_ZONE_RE.test(s) ? s : `${s} GMT${formatOffset(defaultOffset)}`;
    const t = Date.parse(withZone);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  return undefined;
}

function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** Seconds below 1e11 (until year 5138), milliseconds above: no real export needs the overlap. */
function fromEpoch(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const ms = Math.abs(n) < 1e11 ? n * 1000 : n;
  const d = new Date(Math.round(ms));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const NUMBER_RE = /^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(k|m|w|万|千)?$/i;
const SCALE: Record<string, number> = { k: 1e3, m: 1e6, w: 1e4, 万: 1e4, 千: 1e3 };

/** 1234, "1,234", "1.2k", "3.4万" (follower counts as sites show them) → a number. */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = NUMBER_RE.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]!.replaceAll(',', '')) * (m[2] ? SCALE[m[2].toLowerCase()]! : 1);
  return Number.isFinite(n) ? n : undefined;
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1', '是', 'verified']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0', '否']);

export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}
