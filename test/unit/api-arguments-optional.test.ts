// Every optional element of every method's argument list, as the schemas in api-arguments.ts
// declare it: JSON turns an `undefined` array element into `null` (the web shell's path), so each one
// must take `null` as "left out", and hand the service `undefined` as Electron's IPC does.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { APP_API_ARGUMENTS } from '../../src/shared/api-arguments.js';
import { APP_API_METHODS } from '../../src/shared/api.js';

describe('optional API arguments over JSON', () => {
  it('every optional argument of every method takes null as left out', () => {
    const optional: string[] = [];
    for (const method of APP_API_METHODS) {
      const items = (APP_API_ARGUMENTS[method] as unknown as { def: { items: z.ZodType[] } }).def.items;
      items.forEach((item, index) => {
        if (!item.safeParse(undefined).success) return;
        optional.push(`${method}#${index + 1}`);
        const parsed = item.safeParse(null);
        assert.ok(parsed.success, `${method} argument ${index + 1} refuses null, which JSON makes of undefined`);
        assert.equal(parsed.data, undefined, `${method} argument ${index + 1}: null reaches the service as undefined`);
      });
    }
    // The walk saw the optional arguments there are (it would pass vacuously over none).
    assert.deepEqual(optional, ['enroll#1', 'setBaseStationAddress#3', 'viewerUrl#2']);
  });

  it('a JSON round trip of a call with its optional argument left out parses as the call itself', () => {
    const sent = ['bs', '192.168.1.20', undefined];
    const parsed = APP_API_ARGUMENTS.setBaseStationAddress.parse(JSON.parse(JSON.stringify(sent)));
    assert.deepEqual(parsed, sent);
  });
});
