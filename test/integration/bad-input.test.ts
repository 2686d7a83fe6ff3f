import { testRuntime } from '../helpers/runtime.ts';
import { badInputSuite } from './bad-input.suite.ts';

badInputSuite('embedded', (overrides) => testRuntime(overrides));
