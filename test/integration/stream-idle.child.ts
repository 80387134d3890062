// Child process for the idle test: a StreamManager with the endpoints given as JSON in argv[2],
// nothing else in the process. Prints each endpoint's URL (one line, JSON) once they listen.
import { silentLogger } from '../../src/main/log.js';
import { StreamManager, type EndpointOptions } from '../../src/main/stream/manager.js';

const endpoints = JSON.parse(process.argv[2] ?? '[]') as EndpointOptions[];
const manager = new StreamManager({ logger: silentLogger });
manager.on('change', () => undefined);
for (const endpoint of endpoints) await manager.start(endpoint);
process.stdout.write(`${JSON.stringify(manager.runtimes().map((r) => r.url))}\n`);
// Keeps running until the parent kills it; stdin open keeps no timer.
process.stdin.resume();
