import type { Command } from 'commander';
import type { Config } from '../../config/schema.ts';
import { ValidationError } from '../../model/index.ts';
import { newScheduler, openRuntime, type Runtime } from '../runtime.ts';
import type { Scheduler } from '../../crawlers/scheduler.ts';
import { processHere } from './import.ts';

interface CrawlOpts {
  once?: boolean;
  enqueueOnly?: boolean;
}

export function registerCrawl(program: Command, config: () => Config): void {
  program.command('crawl <sourceId>')
    .description('run one configured source now and print what each run brought (with --once: a single run, then exit)')
    .option('--once', 'run once, then exit (default: keep running on the source schedule)')
    .option('--enqueue-only', 'leave the items as jobs for a running worker instead of processing them here')
    .action((sourceId: string, opts: CrawlOpts) => runCrawl(config(), sourceId, opts));
}

async function runCrawl(config: Config, sourceId: string, opts: CrawlOpts): Promise<void> {
  const cfg = config.sources.find((s) => s.id === sourceId);
  if (!cfg) {
    const known = config.sources.map((s) => s.id).join(', ') || 'none';
    throw new ValidationError(`sourceId: no source "${sourceId}" in the config (configured: ${known})`, [{ path: 'sourceId', message: 'unknown source' }]);
  }
  const rt = await openRuntime({ ...config, sources: [{ ...cfg, enabled: true }] });
  const scheduler = newScheduler(rt);
  const [health] = scheduler.health();
  if (health?.status === 'broken') {
    await rt.close();
    throw new ValidationError(`source ${sourceId}: ${health.lastError}`, [{ path: `sources.${sourceId}`, message: health.lastError ?? 'cannot be set up' }]);
  }
  if (cfg.kind === 'webhook') {
    await rt.close();
    throw new ValidationError(`source ${sourceId} is a webhook: its items are pushed to POST /api/ingest/${sourceId}, there is nothing to fetch`, [{ path: 'sourceId', message: 'webhook sources are pushed to' }]);
  }

  if (opts.once || cfg.schedule === undefined) {
    const ok = await runAndReport(rt, scheduler, sourceId, opts);
    await rt.close();
    if (!ok) process.exitCode = 1;
    return;
  }
  process.stderr.write(`crawling ${sourceId} every ${Math.round(cfg.schedule / 1000)} s; Ctrl-C stops\n`);
  let stop = false;
  const wake = new AbortController();
  const quit = () => { stop = true; wake.abort(); };
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  while (!stop) {
    await runAndReport(rt, scheduler, sourceId, opts);
    await new Promise<void>((r) => {
      const t = setTimeout(r, cfg.schedule);
      wake.signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true });
    });
  }
  await scheduler.stop();
  await rt.close();
}

/** One run, its outcome printed in a line (and its warnings under it); true when it succeeded. */
async function runAndReport(rt: Runtime, scheduler: Scheduler, id: string, opts: CrawlOpts): Promise<boolean> {
  const started = Date.now();
  process.stderr.write(`${new Date().toISOString()} ${id}: running…\n`);
  let accepted = 0;
  let error: string | null = null;
  try {
    accepted = await scheduler.runNow(id);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const h = scheduler.health()[0]!;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (error) process.stderr.write(`${id}: failed after ${secs} s: ${error}\n`);
  else process.stderr.write(`${id}: ${accepted} new item(s) in ${secs} s; status ${h.status}${h.lastWarnings.length ? `; ${h.lastWarnings.length} warning(s)` : ''}\n`);
  for (const w of h.lastWarnings) process.stderr.write(`  warning: ${w}\n`);
  if (!error && accepted > 0 && !opts.enqueueOnly) await processHere(rt, accepted);
  return error === null;
}
