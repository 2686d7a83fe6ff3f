import { describe, expect, test } from 'vitest';
import { fromWallTime, isTimeZone, parseSiteDate, wallTime, zoneOffsetMs } from '../../../crawlers/web/dates.ts';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
// 2025-06-15 10:30:00 in Shanghai (UTC+8, no DST).
const shNow = new Date('2025-06-15T02:30:00Z');
const sh = (text: string) => parseSiteDate(text, { now: shNow, timeZone: SH })?.toISOString() ?? null;
// 2025-03-10 09:00 in New York, the day after clocks went forward (EDT, UTC-4).
const nyNow = new Date('2025-03-10T13:00:00Z');
const ny = (text: string) => parseSiteDate(text, { now: nyNow, timeZone: NY })?.toISOString() ?? null;

describe('time zone helpers', () => {
  test('offsets come from Intl, DST included', () => {
    expect(zoneOffsetMs(new Date('2025-01-15T12:00:00Z'), SH)).toBe(8 * 3_600_000);
    expect(zoneOffsetMs(new Date('2025-01-15T12:00:00Z'), NY)).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs(new Date('2025-07-15T12:00:00Z'), NY)).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs(new Date('2025-07-15T12:00:00Z'), 'UTC')).toBe(0);
  });

  test('wall time round-trips, and DST gaps and repeats resolve predictably', () => {
    expect(wallTime(new Date('2025-03-01T06:02:00Z'), SH)).toEqual({ year: 2025, month: 3, day: 1, hour: 14, minute: 2, second: 0 });
    expect(fromWallTime({ year: 2025, month: 3, day: 1, hour: 14, minute: 2, second: 0 }, SH).toISOString()).toBe('2025-03-01T06:02:00.000Z');
    // 02:30 does not exist in New York on 2025-03-09: read with the offset before the change (EST) → 03:30 EDT.
    expect(fromWallTime({ year: 2025, month: 3, day: 9, hour: 2, minute: 30, second: 0 }, NY).toISOString()).toBe('2025-03-09T07:30:00.000Z');
    // 01:30 happens twice on 2025-11-02: the first one (EDT) wins.
    expect(fromWallTime({ year: 2025, month: 11, day: 2, hour: 1, minute: 30, second: 0 }, NY).toISOString()).toBe('2025-11-02T05:30:00.000Z');
    expect(fromWallTime({ year: 2025, month: 11, day: 2, hour: 3, minute: 0, second: 0 }, NY).toISOString()).toBe('2025-11-02T08:00:00.000Z');
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('English dates', () => {
  test('relative to now', () => {
    expect(ny('just now')).toBe('2025-03-10T13:00:00.000Z');
    expect(ny('3 hours ago')).toBe('2025-03-10T10:00:00.000Z');
    expect(ny('an hour ago')).toBe('2025-03-10T12:00:00.000Z');
    expect(ny('5 mins ago')).toBe('2025-03-10T12:55:00.000Z');
    expect(ny('30 seconds ago')).toBe('2025-03-10T12:59:30.000Z');
    // Calendar days in the site's zone: two days back is 2025-03-08 09:00 EST, across the DST change.
    expect(ny('2 days ago')).toBe('2025-03-08T14:00:00.000Z');
    expect(ny('1 week ago')).toBe('2025-03-03T14:00:00.000Z');
    expect(ny('2 months ago')).toBe('2025-01-10T14:00:00.000Z');
    expect(ny('a year ago')).toBe('2024-03-10T13:00:00.000Z');
  });

  test('yesterday and today, with a time of day', () => {
    expect(ny('yesterday at 2:15 PM')).toBe('2025-03-09T18:15:00.000Z');
    expect(ny('Yesterday 12:05 AM')).toBe('2025-03-09T05:05:00.000Z');
    expect(ny('today at 8:00 am')).toBe('2025-03-10T12:00:00.000Z');
    expect(ny('yesterday')).toBe('2025-03-09T05:00:00.000Z');
  });

  test('absolute dates are wall time in the site zone', () => {
    expect(ny('Mar 1, 2025')).toBe('2025-03-01T05:00:00.000Z');
    expect(ny('March 1, 2025 at 3:04 PM')).toBe('2025-03-01T20:04:00.000Z');
    expect(ny('Jul 4, 2024 10:00')).toBe('2024-07-04T14:00:00.000Z');
    expect(ny('1 Mar 2025')).toBe('2025-03-01T05:00:00.000Z');
    expect(ny('Sept 3rd, 2024')).toBe('2024-09-03T04:00:00.000Z');
    // No year: this year, or last year when this year's would lie in the future.
    expect(ny('Feb 2')).toBe('2025-02-02T05:00:00.000Z');
    expect(ny('Dec 24')).toBe('2024-12-24T05:00:00.000Z');
  });

  test('ISO strings and Unix time', () => {
    expect(ny('2025-03-01T14:02:00Z')).toBe('2025-03-01T14:02:00.000Z');
    expect(ny('2025-03-01T14:02:00+08:00')).toBe('2025-03-01T06:02:00.000Z');
    expect(ny('2025-03-01T14:02:00')).toBe('2025-03-01T19:02:00.000Z');
    expect(ny('1740837720')).toBe('2025-03-01T14:02:00.000Z');
    expect(ny('1740837720000')).toBe('2025-03-01T14:02:00.000Z');
  });

  test('not a date', () => {
    expect(ny('')).toBeNull();
    expect(ny('tomorrow-ish')).toBeNull();
    expect(ny('Foo 1, 2025')).toBeNull();
    expect(ny('Feb 30, 2025')).toBeNull();
    expect(ny('2025-13-01')).toBeNull();
    expect(ny('3 parsecs ago')).toBeNull();
    expect(ny('yesterday at 25:00')).toBeNull();
  });
});

describe('Chinese dates', () => {
  test('relative to now', () => {
    expect(sh('刚刚')).toBe('2025-06-15T02:30:00.000Z');
    expect(sh('5分钟前')).toBe('2025-06-15T02:25:00.000Z');
    expect(sh('3小时前')).toBe('2025-06-14T23:30:00.000Z');
    expect(sh('半小时前')).toBe('2025-06-15T02:00:00.000Z');
    expect(sh('3天前')).toBe('2025-06-12T02:30:00.000Z');
    expect(sh('三天前')).toBe('2025-06-12T02:30:00.000Z');
    expect(sh('2周前')).toBe('2025-06-01T02:30:00.000Z');
    expect(sh('30秒前')).toBe('2025-06-15T02:29:30.000Z');
  });

  test('今天, 昨天, 前天 with a time', () => {
    expect(sh('今天 08:00')).toBe('2025-06-15T00:00:00.000Z');
    expect(sh('昨天 14:02')).toBe('2025-06-14T06:02:00.000Z');
    expect(sh('前天 09:30')).toBe('2025-06-13T01:30:00.000Z');
    // Shortly after midnight in Shanghai it is still the previous day in UTC: 昨天 is Shanghai's yesterday.
    const early = new Date('2025-06-14T16:30:00Z'); // 2025-06-15 00:30 in Shanghai
    expect(parseSiteDate('昨天 23:00', { now: early, timeZone: SH })?.toISOString()).toBe('2025-06-14T15:00:00.000Z');
    expect(sh('昨天 下午2:15')).toBe('2025-06-14T06:15:00.000Z');
  });

  test('absolute dates', () => {
    expect(sh('2025年3月1日')).toBe('2025-02-28T16:00:00.000Z');
    expect(sh('2025年3月1日 14:02')).toBe('2025-03-01T06:02:00.000Z');
    expect(sh('2025-03-01 14:02')).toBe('2025-03-01T06:02:00.000Z');
    expect(sh('2025/3/1 14:02:09')).toBe('2025-03-01T06:02:09.000Z');
    expect(sh('发表于 2025-03-01 14:02')).toBe('2025-03-01T06:02:00.000Z');
    // No year: the current one in the site's zone.
    expect(sh('03-01 14:02')).toBe('2025-03-01T06:02:00.000Z');
    expect(sh('3月1日 14:02')).toBe('2025-03-01T06:02:00.000Z');
    // A month-day in the future belongs to last year.
    expect(sh('12-24 09:00')).toBe('2024-12-24T01:00:00.000Z');
  });

  test('the same text means different instants in different zones', () => {
    const now = new Date('2025-06-15T12:00:00Z');
    expect(parseSiteDate('2025-03-01 14:02', { now, timeZone: SH })?.toISOString()).toBe('2025-03-01T06:02:00.000Z');
    expect(parseSiteDate('2025-03-01 14:02', { now, timeZone: 'UTC' })?.toISOString()).toBe('2025-03-01T14:02:00.000Z');
    expect(parseSiteDate('2025-07-01 14:02', { now, timeZone: NY })?.toISOString()).toBe('2025-07-01T18:02:00.000Z');
  });
});
