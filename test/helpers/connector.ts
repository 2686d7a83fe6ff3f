import { expect } from 'vitest';
import type { FetchOptions } from '../../crawlers/http.ts';
import { RawItem, type RawItemInput } from '../../model/index.ts';

/** Retries and waits shortened so connector tests of 429/5xx answers run in milliseconds. */
export const FAST: FetchOptions = { retries: 2, backoffMs: 5, maxRetryWaitMs: 20, timeoutMs: 2_000 };

export const signal = (): AbortSignal => new AbortController().signal;

/** Every item a connector yields must pass the ingest door; the test fails naming the problem. */
export function valid(items: unknown[]): RawItemInput[] {
  for (const item of items) {
    const parsed = RawItem.safeParse(item);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  }
  return items as RawItemInput[];
}

export const ids = (items: unknown[]): string[] => valid(items).map((i) => i.externalId);
