import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AllearsError } from '../../model/errors.ts';

export interface RendererOptions {
  executablePath: string;
  userAgent: string;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
];

/**
 * Runs a page's JavaScript in Chromium. The page itself was already fetched politely; the browser is
 * handed that body for the navigation (no second request) and loads the page's scripts and data as
 * a visitor's browser would. One browser per crawl, started on first use.
 */
export class Renderer {
  private context: Promise<{ browser: Browser; context: BrowserContext }> | null = null;
  /** Bodies already fetched, by URL, waiting for the browser's navigation to ask for them. */
  private readonly documents = new Map<string, string>();
  /** Tabs kept open between pages: opening one costs more than navigating it. */
  private readonly idle: Page[] = [];

  constructor(private readonly opts: RendererOptions) {}

  private open(): Promise<{ browser: Browser; context: BrowserContext }> {
    this.context ??= (async () => {
      let browser: Browser;
      try {
        browser = await chromium.launch({ executablePath: this.opts.executablePath, args: CHROMIUM_ARGS });
      } catch (err) {
        throw new AllearsError('chromium_unavailable', `cannot start Chromium at ${this.opts.executablePath} (set options.chromiumPath or ALLEARS_CHROMIUM_PATH): ${(err as Error).message.split('\n')[0]}`, { cause: err });
      }
      const context = await browser.newContext({ userAgent: this.opts.userAgent, serviceWorkers: 'block' });
      // Only the documents handed over are intercepted; scripts and data go to the network untouched.
      await context.route((u) => this.documents.has(withoutHash(u.href)), (route) => {
        const req = route.request();
        const body = this.documents.get(withoutHash(req.url()));
        if (body === undefined || !req.isNavigationRequest()) return route.continue();
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body });
      });
      return { browser, context };
    })();
    return this.context;
  }

  /** The page's HTML after its scripts ran (and `waitFor` appeared, when given). */
  async render(url: string, html: string, waitFor: string | undefined, timeoutMs: number): Promise<string> {
    const { context } = await this.open();
    const key = withoutHash(url);
    this.documents.set(key, html);
    const page = this.idle.pop() ?? await context.newPage();
    let healthy = false;
    try {
      await page.goto(url, { waitUntil: waitFor ? 'domcontentloaded' : 'load', timeout: timeoutMs });
      if (waitFor) await page.waitForSelector(waitFor, { timeout: timeoutMs, state: 'attached' });
      const content = await page.content();
      healthy = true;
      return content;
    } finally {
      this.documents.delete(key);
      if (healthy) this.idle.push(page);
      else await page.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const opened = this.context;
    this.context = null;
    this.idle.length = 0;
    if (!opened) return;
    try {
      const { browser } = await opened;
      await browser.close();
    } catch {
      // Never started: nothing to close.
    }
  }
}

function withoutHash(url: string): string {
  return url.split('#')[0]!;
}
