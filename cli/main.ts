import { Command, Option } from 'commander';
import { loadConfig } from '../config/load.ts';
import { AllearsError, ConfigError } from '../model/index.ts';
import { VERSION } from './runtime.ts';
import { registerClassify } from './commands/classify.ts';
import { registerCrawl } from './commands/crawl.ts';
import { registerEval } from './commands/eval.ts';
import { registerImport } from './commands/import.ts';
import { registerServe } from './commands/serve.ts';
import { registerTrain } from './commands/train.ts';

const program = new Command('allears')
  .description('Self-hosted voice of the customer: listen, understand, index, act.')
  .version(VERSION)
  .addOption(new Option('-c, --config <file>', 'config file (default: $ALLEARS_CONFIG or config/allears.yaml)'))
  .showHelpAfterError();

/** Config is loaded lazily so `--help` works with a broken config file. */
export const config = () => loadConfig({ path: program.opts<{ config?: string }>().config });

registerServe(program, config);
registerImport(program, config);
registerCrawl(program, config);
registerClassify(program, config);
registerTrain(program, config);
registerEval(program, config);

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`allears: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof AllearsError) {
    process.stderr.write(`allears: ${err.message}\n${err.details.map((d) => `  ${d.path ?? ''}: ${d.message}`).join('\n')}\n`);
    process.exit(1);
  }
  throw err;
}
