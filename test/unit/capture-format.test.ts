// A capture file is checked when read: a file that is not JSON, not a capture, of another version,
// or damaged gets an error in plain words that says what to do, never schema text.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { CAPTURE_FORMAT, CAPTURE_VERSION, parseCapture, readCapture } from '../../src/main/capture/format.js';

const FIXTURE = new URL('../fixtures/captures/default.json', import.meta.url);

describe('capture format', () => {
  it('reads a capture doctor wrote', async () => {
    const capture = parseCapture(await readFile(FIXTURE, 'utf8'));
    assert.equal(capture.format, CAPTURE_FORMAT);
    assert.equal(capture.version, CAPTURE_VERSION);
    assert.ok(capture.connections[0]!.frames.length > 0);
  });

  const cases: [string, string, RegExp][] = [ // assert.throws matches a RegExp against String(error): 'Error: ' + message
    ['not JSON', 'RTSP/1.0 200 OK', /^Error: bug\.json is not a capture file: it is not JSON\. A capture is the \.json file "arlo-rtsp doctor --capture FILE" writes\.$/],
    ['JSON of something else', '{"about":{},"diagnoses":[]}', /^Error: bug\.json is not a capture file \(it has no "format": "arlo-rtsp-capture"\)/],
    ['a later version', `{"format":"${CAPTURE_FORMAT}","version":2}`, /^Error: bug\.json is a capture of version 2; this version reads version 1 only\. Update this app/],
  ];
  for (const [name, text, message] of cases) {
    it(`says what is wrong with ${name}`, () => assert.throws(() => parseCapture(text, 'bug.json'), message));
  }

  it('names the damaged field without schema words', async () => {
    const capture = JSON.parse(await readFile(FIXTURE, 'utf8')) as { connections: { frames: { size: unknown }[] }[] };
    capture.connections[0]!.frames[3]!.size = 'big';
    assert.throws(() => parseCapture(JSON.stringify(capture), 'bug.json'), (error: Error) => {
      assert.equal(error.message, 'bug.json is a damaged capture: connections.0.frames.3.size is not what a capture holds there. Make the capture again with "arlo-rtsp doctor --capture FILE".');
      return true;
    });
  });

  it('says when the file cannot be read', async () => {
    await assert.rejects(readCapture('/nonexistent/capture.json'), /^Error: Cannot read the capture \/nonexistent\/capture\.json: no such file\.$/);
  });
});
