// The desktop log without Electron: rotation through electron-log's real file transport (its
// Node flavour shares the transport with the main-process one) in a temp dir, and the core's
// redaction (SECRET_FIELDS) on the logger that feeds it.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import electronLog from 'electron-log/node.js';
import { configureLogRotation, createRedactingLogger, LOG_ROTATION, rotateLogFile, type LogLevel } from '../../src/main/electron/log-file.js';
import { SECRET_FIELDS } from '../../src/main/log.js';

const root = mkdtempSync(join(tmpdir(), 'electron-logging-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => mkdtempSync(join(root, `${dirs++}-`));

describe('desktop log rotation', () => {
  it('keeps at most LOG_ROTATION.keptFiles older files of about LOG_ROTATION.maxBytes, newest first', () => {
    assert.equal(LOG_ROTATION.maxBytes, 5 * 1024 * 1024);
    assert.equal(LOG_ROTATION.keptFiles, 3);
    const dir = freshDir();
    const log = electronLog.create({ logId: 'rotation-test' });
    log.transports.console.level = false;
    log.transports.file.resolvePathFn = () => join(dir, 'main.log');
    configureLogRotation(log.transports.file);
    assert.equal(log.transports.file.maxSize, LOG_ROTATION.maxBytes);

    const padding = 'x'.repeat(64 * 1024);
    const lines = Math.ceil(((LOG_ROTATION.keptFiles + 1.5) * LOG_ROTATION.maxBytes) / padding.length);
    for (let i = 0; i < lines; i++) log.info(`line ${String(i).padStart(5, '0')} ${padding}`);

    assert.deepEqual(readdirSync(dir).sort(), ['main.1.log', 'main.2.log', 'main.3.log', 'main.log']);
    const numbers = (file: string) => [...readFileSync(join(dir, file), 'utf8').matchAll(/line (\d{5})/g)].map((m) => Number(m[1]));
    const [current, first, second, third] = ['main.log', 'main.1.log', 'main.2.log', 'main.3.log'].map(numbers);
    assert.ok(current && first && second && third);
    assert.equal(current.at(-1), lines - 1, 'the newest line is in main.log');
    assert.ok(Math.max(...third) < Math.min(...second) && Math.max(...second) < Math.min(...first) && Math.max(...first) < Math.min(...current), 'older files hold older lines');
    assert.ok(Math.min(...third) > 0, 'the oldest generation was dropped');
    for (const file of readdirSync(dir)) {
      assert.ok(statSync(join(dir, file)).size <= LOG_ROTATION.maxBytes + padding.length + 200, `${file} stays near maxBytes`);
    }
  });

  it('rotateLogFile shifts generations and reports a failure instead of throwing', () => {
    const dir = freshDir();
    const path = join(dir, 'main.log');
    writeFileSync(path, 'now');
    writeFileSync(join(dir, 'main.1.log'), 'one');
    writeFileSync(join(dir, 'main.2.log'), 'two');
    assert.equal(rotateLogFile(path, 2), true);
    assert.deepEqual(readdirSync(dir).sort(), ['main.1.log', 'main.2.log']);
    assert.equal(readFileSync(join(dir, 'main.1.log'), 'utf8'), 'now');
    assert.equal(readFileSync(join(dir, 'main.2.log'), 'utf8'), 'one');

    assert.equal(rotateLogFile(join(dir, 'missing.log')), false);
    assert.ok(!existsSync(join(dir, 'missing.1.log')));
  });
});

describe('desktop logger redaction', () => {
  function capture() {
    const lines: { level: LogLevel; line: string }[] = [];
    return { lines, logger: createRedactingLogger((level, line) => lines.push({ level, line })) };
  }

  it('redacts every SECRET_FIELDS name at the depths the core logs', () => {
    const { lines, logger } = capture();
    for (const field of SECRET_FIELDS) {
      const value = `S3CRET-${field}-value`;
      logger.info({ [field]: value }, 'top');
      logger.info({ request: { [field]: value } }, 'nested');
      logger.info({ outer: { inner: { [field]: value } } }, 'deeper');
    }
    assert.equal(lines.length, SECRET_FIELDS.length * 3);
    for (const { line } of lines) {
      assert.doesNotMatch(line, /S3CRET-/);
      assert.match(line, /\[redacted\]/);
    }
  });

  it('writes each line at its electron-log level, as one JSON line', () => {
    const { lines, logger } = capture();
    logger.level = 'debug';
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    assert.deepEqual(lines.map((l) => l.level), ['debug', 'info', 'warn', 'error', 'error']);
    for (const { line } of lines) {
      assert.ok(!line.endsWith('\n'));
      assert.equal(typeof (JSON.parse(line) as { msg: string }).msg, 'string');
    }
  });
});
