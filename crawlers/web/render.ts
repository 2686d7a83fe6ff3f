import { access, constants } from 'node:fs/promises';
import type { PlaywrightCrawlerOptions } from '@crawlee/playwright';
import { chromium } from 'playwright-core';
import { AllearsError } from '../../model/errors.ts';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
];

/** The Chromium a playwright source runs: its own option, else ALLEARS_CHROMIUM_PATH, else Debian's. */
export function chromiumPath(option: string | undefined, env?: NodeJS.ProcessEnv): string {
  return option ?? env?.ALLEARS_CHROMIUM_PATH ?? process.env.ALLEARS_CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export function chromiumUnavailable(executablePath: string, cause: unknown): AllearsError {
  // crawlee's launch error wraps Playwright's, whose first line says what went wrong.
  const inner = (cause as { cause?: unknown } | null)?.cause instanceof Error ? (cause as { cause: Error }).cause : cause;
  const reason = inner instanceof Error ? inner.message.split('\n')[0] : String(inner);
  return new AllearsError('chromium_unavailable', `cannot start Chromium at ${executablePath} (set options.chromiumPath or ALLEARS_CHROMIUM_PATH): ${reason}`, { cause });
}

/** Fails with `chromium_unavailable` when there is no executable at the path: no browser is ever downloaded. */
export async function checkChromium(executablePath: string): Promise<void> {
  try {
    await access(executablePath, constants.X_OK);
  } catch (err) {
    throw chromiumUnavailable(executablePath, err);
  }
}

/** Browser launch errors, as crawlee's browser pool reports them. */
export function isLaunchError(err: unknown): boolean {
  return /browserType\.launch|Failed to launch|failed to launch the browser|Executable doesn't exist/i.test(err instanceof Error ? err.message : String(err));
}

/**
 * How PlaywrightCrawler starts Chromium: playwright-core driving the system's browser (never a
 * downloaded one), with the project's honest user agent and no fingerprint injection. One browser
 * per crawl, kept for the whole run.
 */
export function browserOptions(executablePath: string, userAgent: string, maxConcurrency: number): Pick<PlaywrightCrawlerOptions, 'launchContext' | 'browserPoolOptions' | 'headless'> {
  return {
    headless: true,
    launchContext: {
      launcher: chromium,
      useChrome: false,
      userAgent,
      launchOptions: { executablePath, args: CHROMIUM_ARGS, headless: true },
    },
    browserPoolOptions: {
      useFingerprints: false,
      maxOpenPagesPerBrowser: Math.max(maxConcurrency, 1) * 2,
      retireBrowserAfterPageCount: 1_000_000,
      closeInactiveBrowserAfterSecs: 3600,
    },
  };
}
