/**
 * Dates as forums print them, in English and Chinese, absolute or relative ("3 hours ago", "昨天 14:02"),
 * turned into instants. Wall-clock times are read in the site's time zone; relative ones count back from
 * a given "now". Pure: no clock, no locale of the machine.
 */

export interface DateContext {
  /** The moment relative dates count back from. */
  now: Date;
  /** IANA zone the site prints its times in, e.g. "Asia/Shanghai". */
  timeZone: string;
}

export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at an instant. */
export function wallTime(at: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

const offsets = new Map<string, Map<number, number>>();
const QUARTER_HOUR = 900_000;

/** How far `timeZone` is ahead of UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  // Zones change offset only on quarter-hour boundaries of UTC, so one answer serves a whole quarter hour.
  const bucket = Math.floor(at.getTime() / QUARTER_HOUR);
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const known = zone.get(bucket);
  if (known !== undefined) return known;
  const start = new Date(bucket * QUARTER_HOUR);
  const w = wallTime(start, timeZone);
  const offset = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - start.getTime();
  if (zone.size > 10_000) zone.clear();
  zone.set(bucket, offset);
  return offset;
}

/**
 * The instant a wall-clock time in `timeZone` names. A time skipped by a DST change is read with the
 * offset before the change (02:30 on a spring-forward night becomes 03:30); a repeated time is the first one.
 */
export function fromWallTime(w: WallTime, timeZone: string): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const before = zoneOffsetMs(new Date(naive - 86_400_000), timeZone);
  const after = zoneOffsetMs(new Date(naive + 86_400_000), timeZone);
  // Try the earlier offset first so a repeated hour resolves to its first occurrence.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const at = new Date(naive - offset);
    if (zoneOffsetMs(at, timeZone) === offset) return at;
  }
  return new Date(naive - before);
}

let lastNow: { ms: number; tz: string; wall: WallTime } | null = null;

/** The wall clock at "now": the same for every date read during one page, so computed once. */
function localNow(now: Date, timeZone: string): WallTime {
  if (lastNow && lastNow.ms === now.getTime() && lastNow.tz === timeZone) return lastNow.wall;
  lastNow = { ms: now.getTime(), tz: timeZone, wall: wallTime(now, timeZone) };
  return lastNow.wall;
}

/** The calendar date `days` after (or before, when negative) the given one. */
function addDays(w: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

function unitOf(word: string): 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'y' | null {
  const w = word.toLowerCase();
  if (/^(s|sec|secs|second|seconds|秒|秒钟)$/.test(w)) return 's';
  if (/^(m|min|mins|minute|minutes|分|分钟)$/.test(w)) return 'm';
  if (/^(h|hr|hrs|hour|hours|小时|个小时|時)$/.test(w)) return 'h';
  if (/^(d|day|days|天|日)$/.test(w)) return 'd';
  if (/^(w|wk|wks|week|weeks|周|星期|个星期|週)$/.test(w)) return 'w';
  if (/^(mo|mos|month|months|个月|月)$/.test(w)) return 'mo';
  if (/^(y|yr|yrs|year|years|年)$/.test(w)) return 'y';
  return null;
}

const ZH_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 半: 0.5 };

function amount(text: string): number | null {
  const t = text.toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  if (t === 'a' || t === 'an' || t === 'one') return 1;
  if (t === '十') return 10;
  if (/^十[一二三四五六七八九]$/.test(t)) return 10 + ZH_DIGITS[t[1]!]!;
  if (/^[一二两三四五六七八九]十[一二三四五六七八九]?$/.test(t)) return ZH_DIGITS[t[0]!]! * 10 + (t[2] ? ZH_DIGITS[t[2]]! : 0);
  return ZH_DIGITS[t] ?? null;
}

/** "2:15 PM", "14:02", "14:02:09", "下午2:15" → hours, minutes, seconds; null when there is no time. */
function clock(text: string | undefined): { hour: number; minute: number; second: number } | null {
  if (!text) return null;
  const m = /(上午|中午|下午|晚上|凌晨|早上)?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?/i.exec(text);
  if (!m) return null;
  let hour = Number(m[2]);
  const minute = Number(m[3]);
  const second = m[4] ? Number(m[4]) : 0;
  const half = (m[5] ?? '').toLowerCase().replace(/\./g, '');
  const pm = half === 'pm' || (m[1] !== undefined && /下午|晚上/.test(m[1]) && hour < 12) || (m[1] === '中午' && hour < 11);
  if (half === 'am' && hour === 12) hour = 0;
  else if (pm && hour < 12) hour += 12;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

const TIME_SUFFIX = String.raw`(?:\s*(?:at|,|T)?\s*((?:上午|中午|下午|晚上|凌晨|早上)?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?))?`;

function valid(w: WallTime): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31) return false;
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day));
  return d.getUTCMonth() === w.month - 1;
}

function at(date: { year: number; month: number; day: number }, time: ReturnType<typeof clock>, timeZone: string): Date | null {
  const w: WallTime = { ...date, hour: time?.hour ?? 0, minute: time?.minute ?? 0, second: time?.second ?? 0 };
  return valid(w) ? fromWallTime(w, timeZone) : null;
}

/**
 * Read one date as a forum prints it. Returns null when the text is not a date this reader knows;
 * a date without a time of day is read as midnight in the site's zone.
 */
export function parseSiteDate(input: string, ctx: DateContext): Date | null {
  const text = input.replace(/\s+/g, ' ').trim().replace(/^(posted|published|发表于|发布于|发表时间[:：]?|发布时间[:：]?|于)\s*/i, '').trim();
  if (!text) return null;
  const now = ctx.now;
  const tz = ctx.timeZone;
  const today = localNow(now, tz);

  // Unix time: seconds (10 digits) or milliseconds (13).
  if (/^\d{10}$/.test(text)) return new Date(Number(text) * 1000);
  if (/^\d{13}$/.test(text)) return new Date(Number(text));

  // ISO 8601 with an offset or Z is an instant already.
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(ms) ? null : new Date(ms);
  }

  let m: RegExpExecArray | null;
  const lower = text.toLowerCase();

  if (/^(just now|now|moments? ago|a moment ago|刚刚|刚才)$/.test(lower)) return new Date(now);

  // "3 hours ago", "an hour ago", "5 mins ago", "3小时前", "5分钟前", "三天前", "半小时前".
  if ((m = /^(\d+|an?|one|[一二两三四五六七八九十半]{1,3})\s*([a-z]+|秒钟?|分钟?|个?小时|天|日|周|个?星期|个?月|年)\s*(ago|前|以前)$/i.exec(text))) {
    const n = amount(m[1]!);
    const unit = unitOf(m[2]!);
    if (n === null || unit === null) return null;
    if (unit in UNIT_MS) return new Date(now.getTime() - n * UNIT_MS[unit]!);
    const days = unit === 'd' ? n : unit === 'w' ? 7 * n : 0;
    if (days) return fromWallTime(addDays(today, -Math.round(days)), tz);
    const months = unit === 'mo' ? n : 12 * n;
    const d = new Date(Date.UTC(today.year, today.month - 1 - Math.round(months), 1));
    const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    return fromWallTime({ ...today, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: Math.min(today.day, lastDay) }, tz);
  }

  // "yesterday at 2:15 PM", "today 08:00", "昨天 14:02", "前天 09:30", "今天 08:00".
  if ((m = new RegExp(String.raw`^(today|yesterday|今天|今日|昨天|昨日|前天)${TIME_SUFFIX}$`, 'i').exec(text))) {
    const word = m[1]!.toLowerCase();
    const back = word === 'today' || word === '今天' || word === '今日' ? 0 : word === '前天' ? 2 : 1;
    const time = clock(m[2]);
    if (m[2] && !time) return null;
    return at(addDays(today, -back), time, tz);
  }

  // "2025年3月1日", "2025年3月1日 14:02", "3月1日 14:02" (this year).
  if ((m = new RegExp(String.raw`^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]${TIME_SUFFIX}$`, 'i').exec(text))) {
    return withYear(m[1], Number(m[2]), Number(m[3]), clock(m[4]), ctx);
  }

  // "2025-03-01", "2025/3/1 14:02", "2025.03.01 14:02:09", "2025-03-01T14:02" (no offset: site time).
  if ((m = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME_SUFFIX}$`, 'i').exec(text))) {
    return at({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, clock(m[4]), tz);
  }

  // "03-01 14:02", "3/1 14:02": this year (last year when that would be in the future).
  if ((m = new RegExp(String.raw`^(\d{1,2})[-/](\d{1,2})${TIME_SUFFIX}$`, 'i').exec(text)) && m[3]) {
    return withYear(undefined, Number(m[1]), Number(m[2]), clock(m[3]), ctx);
  }

  // "Mar 1, 2025", "March 1, 2025 at 3:04 PM", "Mar 1" (this year).
  if ((m = new RegExp(String.raw`^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?${TIME_SUFFIX}$`, 'i').exec(text))) {
    const month = MONTHS[m[1]!.toLowerCase().slice(0, m[1]!.toLowerCase().startsWith('sept') ? 4 : 3)];
    if (!month) return null;
    return withYear(m[3], month, Number(m[2]), clock(m[4]), ctx);
  }

  // "1 Mar 2025", "1 March 2025 14:02".
  if ((m = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?,?\s+(\d{4})${TIME_SUFFIX}$`, 'i').exec(text))) {
    const month = MONTHS[m[2]!.toLowerCase().slice(0, 3)];
    if (!month) return null;
    return at({ year: Number(m[3]), month, day: Number(m[1]) }, clock(m[4]), tz);
  }

  return null;
}

/** A date printed without its year belongs to the current year, or to the last one when it would be in the future. */
function withYear(year: string | undefined, month: number, day: number, time: ReturnType<typeof clock>, ctx: DateContext): Date | null {
  if (year) return at({ year: Number(year), month, day }, time, ctx.timeZone);
  const thisYear = localNow(ctx.now, ctx.timeZone).year;
  const candidate = at({ year: thisYear, month, day }, time, ctx.timeZone);
  if (candidate && candidate.getTime() > ctx.now.getTime() + 86_400_000) return at({ year: thisYear - 1, month, day }, time, ctx.timeZone);
  return candidate;
}
