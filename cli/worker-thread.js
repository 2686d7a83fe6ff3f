// Entry of a pipeline worker thread: Node does not apply the parent's TypeScript loader to a
// thread's entry file, so the thread registers tsx itself before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./worker-thread.ts');
