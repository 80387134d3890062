// A camera port serving the LAN (listening on 0.0.0.0 with viewer credentials, reached only
// through loopback) under the attacks of issue 15: a flood of unauthenticated connections, a
// recorded Digest exchange replayed, Basic over plain TCP, and a brute force of wrong passwords.
// The viewer is stock ffmpeg; the attackers are raw sockets written here. Loads are bounded in
// count (connections, requests) and time.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/main/log.js';
import { makeRequest, serializeMessage, type RtspRequest, type RtspResponse } from '../../src/main/rtsp/message.js';
import { RtspReader } from '../../src/main/rtsp/reader.js';
import { ffmpegDecode, startRig, type Rig } from '../support/stream-rig.js';

const USER = 'viewer';
const PASSWORD = 'planted-Secret-4217';

/** One raw RTSP connection: requests answered in order, or `closed` once the server hangs up. */
class RawClient {
  readonly socket: net.Socket;
  readonly #reader = new RtspReader();
  readonly #waiting: ((response: RtspResponse | 'closed') => void)[] = [];
  #cseq = 0;

  constructor(port: number, localAddress = '127.0.0.1') {
    this.socket = net.connect({ host: '127.0.0.1', port, localAddress });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      for (let item = this.#reader.read(); item; item = this.#reader.read()) {
        if (item.kind === 'response') this.#waiting.shift()?.(item);
      }
    });
    this.socket.on('close', () => {
      for (const wake of this.#waiting.splice(0)) wake('closed');
    });
  }

  request(method: string, uri: string, headers: Record<string, string> = {}): Promise<RtspResponse | 'closed'> {
    return this.send(makeRequest(method, uri, { CSeq: ++this.#cseq, ...headers }));
  }

  send(request: RtspRequest): Promise<RtspResponse | 'closed'> {
    if (this.socket.destroyed) return Promise.resolve('closed');
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.socket.write(serializeMessage(request));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

const statusOf = (answer: RtspResponse | 'closed') => (answer === 'closed' ? 'closed' : answer.status);

/** An MD5 Digest answer (RFC 2069 form, as FFmpeg and GStreamer send it) to a 401's challenge. */
function digestAnswer(challenge: RtspResponse, method: string, uri: string, password: string): string {
  const header = challenge.headers.getAll('WWW-Authenticate').find((v) => /algorithm=MD5/.test(v))!;
  const realm = /realm="([^"]+)"/.exec(header)![1]!;
  const nonce = /nonce="([^"]+)"/.exec(header)![1]!;
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const response = md5(`${md5(`${USER}:${realm}:${password}`)}:${nonce}:${md5(`${method}:${uri}`)}`);
  return `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}"`;
}

describe('a camera port serving the LAN under attack', () => {
  let rig: Rig;
  let port: number;
  let viewerUrl: string;
  const logLines: string[] = [];

  before(async () => {
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    rig = await startRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], logger });
    port = (await rig.endpoint('CAM', { listenAddress: '0.0.0.0', credentials: { username: USER, password: PASSWORD } })).port;
    viewerUrl = `rtsp://${USER}:${PASSWORD}@127.0.0.1:${port}/CAM`;
  });

  after(async () => {
    await rig.close();
  });

  it('200 chatty unauthenticated connections held for 60 s do not keep a viewer with the password out', async (t) => {
    // The attacker is another host of the LAN (127.0.0.2): 200 connections, each sending OPTIONS
    // without credentials every second, each reopened a second after the server closes it.
    const attackers = new Set<net.Socket>();
    let stopped = false;
    let connects = 0;
    let refusals = 0;
    const open = () => {
      if (stopped) return;
      connects++;
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      attackers.add(socket);
      let cseq = 0;
      const ask = () => socket.write(`OPTIONS rtsp://127.0.0.1:${port}/CAM RTSP/1.0\r\nCSeq: ${++cseq}\r\n\r\n`);
      const chatter = setInterval(ask, 1_000);
      socket.on('connect', ask);
      socket.on('data', (chunk: Buffer) => (refusals += chunk.toString('latin1').split('RTSP/1.0 401').length - 1));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(chatter);
        attackers.delete(socket);
        setTimeout(open, 1_000);
      });
    };
    for (let i = 0; i < 200; i++) open();

    const started = Date.now();
    const decoded: number[] = [];
    try {
      // A viewer starts again and again, at any moment of the attack.
      while (Date.now() - started < 60_000) {
        const result = await ffmpegDecode(viewerUrl, { frames: 30, timeoutMs: 30_000 });
        assert.ok(result.frames >= 30, `viewer ${decoded.length + 1}, ${Math.round((Date.now() - started) / 1000)} s into the attack, decoded ${result.frames} frames: ${result.errors}`);
        decoded.push(result.frames);
      }
    } finally {
      stopped = true;
      for (const socket of attackers) socket.destroy();
    }
    t.diagnostic(`${decoded.length} viewers decoded during the attack; ${connects} attacker connections, ${refusals} answers 401`);
    assert.ok(decoded.length >= 3, `${decoded.length} viewers ran`);
    assert.ok(connects >= 400 && refusals >= 400, `the attack ran: ${connects} connections, ${refusals} answered 401`);
  });

  it('a recorded Digest exchange replayed on a new connection gets 401, although its nonce has not expired', async () => {
    // Record what ffmpeg sends through a relay, as an eavesdropper on the LAN would.
    const recorded: Buffer[] = [];
    const relay = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port });
      client.on('data', (chunk: Buffer) => recorded.push(Buffer.from(chunk)));
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayPort = (relay.address() as net.AddressInfo).port;
    try {
      const played = await ffmpegDecode(`rtsp://${USER}:${PASSWORD}@127.0.0.1:${relayPort}/CAM`, { frames: 10 });
      assert.ok(played.frames >= 10, played.errors);
    } finally {
      relay.close();
    }
    const reader = new RtspReader();
    reader.push(Buffer.concat(recorded));
    const answered: RtspRequest[] = [];
    for (let item = reader.read(); item; item = reader.read()) {
      if (item.kind === 'request' && item.headers.has('Authorization')) answered.push(item);
    }
    const replayed = answered.filter((r) => ['DESCRIBE', 'SETUP', 'PLAY'].includes(r.method));
    // Two tracks (video and audio): two SETUPs.
    assert.deepEqual(replayed.map((r) => r.method), ['DESCRIBE', 'SETUP', 'SETUP', 'PLAY'], 'the recording holds the answered DESCRIBE, SETUPs and PLAY');

    // Replayed at once, well inside the nonce's 60 s lifetime: only the binding of the nonce to the
    // connection that issued it can refuse it (a replay 30 s later is refused for the same reason).
    const replay = new RawClient(port);
    const statuses = [];
    for (const request of replayed) statuses.push(statusOf(await replay.send(request)));
    replay.close();
    // The third failure closes the connection.
    assert.deepEqual(statuses, [401, 401, 401, 'closed']);
  });

  it('Basic gets 401 unless the user opted in', async () => {
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const refused = new RawClient(port);
    const answer = await refused.request('OPTIONS', `rtsp://127.0.0.1:${port}/CAM`, { Authorization: basic });
    refused.close();
    assert.equal(statusOf(answer), 401);
    assert.ok(answer !== 'closed' && answer.headers.getAll('WWW-Authenticate').every((v) => v.startsWith('Digest ')), 'Basic is not offered');

    const optedIn = (await rig.endpoint('CAM', { deviceId: 'CAM-BASIC', listenAddress: '0.0.0.0', credentials: { username: USER, password: PASSWORD, allowBasic: true } })).port;
    const accepted = new RawClient(optedIn);
    const challenge = await accepted.request('OPTIONS', `rtsp://127.0.0.1:${optedIn}/CAM-BASIC`);
    const basicAnswer = await accepted.request('OPTIONS', `rtsp://127.0.0.1:${optedIn}/CAM-BASIC`, { Authorization: basic });
    accepted.close();
    await rig.manager.stop('CAM-BASIC');
    assert.deepEqual([statusOf(challenge), statusOf(basicAnswer)], [401, 200]);
    assert.ok(challenge !== 'closed' && challenge.headers.getAll('WWW-Authenticate').includes('Basic realm="Arlo Local RTSP"'));
  });

  it('500 wrong passwords: fewer than 100 evaluated, each logged at warn without the password; the right one works again within a minute', async (t) => {
    const evaluatedBefore = logLines.filter((l) => l.includes('wrong username or password')).length;
    const countedBefore = rig.manager.runtime('CAM')!.authFailures;
    const uri = `rtsp://127.0.0.1:${port}/CAM`;
    let answered = 0;
    let tried = 0;
    const attackStarted = Date.now();
    // A few connections at once, each getting its challenge and then guessing until the server closes it.
    const worker = async () => {
      while (tried < 500) {
        const client = new RawClient(port);
        let challenge = await client.request('OPTIONS', uri);
        while (challenge !== 'closed' && challenge.status === 401 && tried < 500) {
          const guess = `wrong-guess-${++tried}`;
          const answer = await client.request('OPTIONS', uri, { Authorization: digestAnswer(challenge, 'OPTIONS', uri, guess) });
          if (answer === 'closed') break;
          assert.equal(answer.status, 401);
          answered++;
          // The server closes an unauthenticated connection at its third failure.
          if (answer.headers.get('Connection') === 'close') break;
          challenge = answer;
        }
        client.close();
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const attackEnded = Date.now();
    assert.ok(answered >= 450, `${answered} of 500 guesses answered`);

    const warnings = logLines.filter((l) => l.includes('wrong username or password')).slice(evaluatedBefore).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(warnings.length > 0 && warnings.length < 100, `${warnings.length} guesses evaluated`);
    assert.equal(rig.manager.runtime('CAM')!.authFailures - countedBefore, warnings.length, 'the camera counts each evaluated wrong password (authFailures, /metrics)');
    for (const warning of warnings) {
      assert.equal(warning.level, 40, 'warn');
      assert.equal(warning.address, '127.0.0.1');
      assert.equal(warning.camera, 'CAM');
    }
    assert.ok(logLines.some((l) => l.includes('refused for a while')), 'the block is logged');
    assert.ok(!logLines.some((l) => l.includes('wrong-guess')), 'no guessed password in the log');

    // The owner, on the same address as the attacker, gets in once the block has expired.
    let result = await ffmpegDecode(viewerUrl, { frames: 10 });
    while (result.frames < 10 && Date.now() - attackEnded < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      result = await ffmpegDecode(viewerUrl, { frames: 10 });
    }
    t.diagnostic(`${answered} guesses answered in ${Math.round((attackEnded - attackStarted) / 1000)} s, ${warnings.length} evaluated; the right password played ${Math.round((Date.now() - attackEnded) / 1000)} s after the attack`);
    assert.ok(result.frames >= 10, `the right password still refused ${Math.round((Date.now() - attackEnded) / 1000)} s after the attack: ${result.errors}`);
  });

  it('never logs the viewer password', () => {
    assert.ok(logLines.length > 0);
    assert.ok(!logLines.some((l) => l.includes(PASSWORD)), 'the planted password is in the log');
  });
});
