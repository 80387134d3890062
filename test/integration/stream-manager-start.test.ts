// StreamManager.start/stop called again before the previous call finished (a double click on
// Start, a settings change restarting a camera while the user starts it): each call runs after the
// previous one of the same camera, so none fails on the camera's own port and none leaves a
// listener behind.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { rigForTests } from '../support/stream-rig.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('stream manager start and stop of one camera', () => {
  const rig = rigForTests({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });

  it('two starts at once both succeed on the camera\'s port, and stop frees it', async () => {
    const port = await freePort();
    await Promise.all([rig.endpoint('CAM', { port }), rig.endpoint('CAM', { port })]);
    assert.equal(rig.manager.runtime('CAM')?.port, port);
    // A restart racing a restart, as settings changes do.
    await Promise.all([rig.endpoint('CAM', { port }), rig.endpoint('CAM', { port }), rig.endpoint('CAM', { port })]);
    assert.equal(rig.manager.runtimes().length, 1);
    await rig.manager.stop('CAM');
    assert.equal(await accepts(port), false, 'no listener left on the port');
  });

  it('a stop during a start leaves the camera stopped', async () => {
    const port = await freePort();
    const started = rig.endpoint('CAM', { port });
    await rig.manager.stop('CAM');
    await started;
    // The start came first, so it ran first; the stop after it wins.
    assert.equal(rig.manager.runtime('CAM'), undefined);
    assert.equal(await accepts(port), false, 'no listener left on the port');
  });
});
