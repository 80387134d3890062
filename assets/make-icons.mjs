#!/usr/bin/env node
// Draws the app and tray icons (a camera with a "live" dot) as PNGs, so the artwork is code we can
// review and re-run: `node assets/make-icons.mjs`. electron-builder makes .ico/.icns from icon.png
// (1024 px, as its docs recommend; 512 px is their minimum for macOS). The Windows tray takes .ico
// files (Electron's Tray docs recommend ICO there), written here with PNG images inside.
import { Buffer } from 'node:buffer';
import { writeFileSync, mkdirSync } from 'node:fs';
import process from 'node:process';
import { deflateSync, crc32 } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Shapes in a unit square; each returns whether (x, y) is inside.
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = s(ax, ay, bx, by), d2 = s(bx, by, cx, cy), d3 = s(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};
const union = (...shapes) => (x, y) => shapes.some((s) => s(x, y));

// The camera: a body and a lens hood pointing right.
const body = roundRect(0.1, 0.3, 0.66, 0.72, 0.08);
const hood = triangle(0.62, 0.51, 0.92, 0.32, 0.92, 0.7);
const camera = union(body, hood);
const lens = circle(0.38, 0.51, 0.12);
const liveDot = circle(0.8, 0.22, 0.13);

/** Layers painted in order: [shape, [r, g, b, a]]. */
function render(size, layers) {
  const ss = 4; // 4x4 supersampling for smooth edges
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const [shape, [lr, lg, lb, la]] of layers) {
        let hits = 0;
        for (let sy = 0; sy < ss; sy += 1) {
          for (let sx = 0; sx < ss; sx += 1) {
            if (shape((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size)) hits += 1;
          }
        }
        const cover = (hits / (ss * ss)) * (la / 255);
        // "over" compositing, straight alpha
        const outA = cover + a * (1 - cover);
        if (outA > 0) {
          r = (lr * cover + r * a * (1 - cover)) / outA;
          g = (lg * cover + g * a * (1 - cover)) / outA;
          b = (lb * cover + b * a * (1 - cover)) / outA;
        }
        a = outA;
      }
      rgba.set([Math.round(r), Math.round(g), Math.round(b), Math.round(a * 255)], (py * size + px) * 4);
    }
  }
  return png(size, rgba);
}

function png(size, rgba) {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const BLUE = [11, 99, 206, 255];
const WHITE = [255, 255, 255, 255];
const GREEN = [46, 204, 64, 255];
const BLACK = [0, 0, 0, 255];
const background = roundRect(0.04, 0.04, 0.96, 0.96, 0.2);

// The lens is painted in the background colour on coloured icons, and left out of the mask
// (transparent) on template images.
const notLens = (shape) => (x, y) => shape(x, y) && !lens(x, y);

const files = {
  'icon.png': [1024, [[background, BLUE], [camera, WHITE], [lens, BLUE], [liveDot, GREEN]]],
  'icon-512.png': [512, [[background, BLUE], [camera, WHITE], [lens, BLUE], [liveDot, GREEN]]],
  'icon-256.png': [256, [[background, BLUE], [camera, WHITE], [lens, BLUE], [liveDot, GREEN]]],
  'icon-32.png': [32, [[background, BLUE], [camera, WHITE], [lens, BLUE]]],
  'icon-16.png': [16, [[background, BLUE], [camera, WHITE]]],
  // macOS menu bar: black + alpha, tinted by the system ("Template" in the name).
  'tray/trayTemplate.png': [16, [[notLens(camera), BLACK]]],
  'tray/trayTemplate@2x.png': [32, [[notLens(camera), BLACK]]],
  'tray/trayStreamingTemplate.png': [16, [[notLens(camera), BLACK], [liveDot, BLACK]]],
  'tray/trayStreamingTemplate@2x.png': [32, [[notLens(camera), BLACK], [liveDot, BLACK]]],
  // Windows and Linux: coloured, readable on light and dark task bars.
  'tray/tray.png': [16, [[background, BLUE], [camera, WHITE]]],
  'tray/tray@2x.png': [32, [[background, BLUE], [camera, WHITE], [lens, BLUE]]],
  'tray/tray-streaming.png': [16, [[background, BLUE], [camera, WHITE], [liveDot, GREEN]]],
  'tray/tray-streaming@2x.png': [32, [[background, BLUE], [camera, WHITE], [lens, BLUE], [liveDot, GREEN]]],
};

// Windows tray: 16 px at 100 % scaling, 24 px at 150 %, 32 px at 200 %.
const TRAY_IDLE = [[background, BLUE], [camera, WHITE], [lens, BLUE]];
const TRAY_STREAMING = [...TRAY_IDLE, [liveDot, GREEN]];
const icoFiles = {
  'tray/tray.ico': [16, 24, 32].map((size) => render(size, size === 16 ? TRAY_IDLE.slice(0, 2) : TRAY_IDLE)),
  'tray/tray-streaming.ico': [16, 24, 32].map((size) => render(size, size === 16 ? [TRAY_IDLE[0], TRAY_IDLE[1], TRAY_STREAMING[3]] : TRAY_STREAMING)),
};

/** An ICO file holding PNG images (Windows Vista and later read PNG entries). */
function ico(pngs) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2); // type 1: icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const entries = pngs.map((image) => {
    const size = image.readUInt32BE(16); // the PNG's IHDR width
    const entry = Buffer.alloc(16);
    entry.set([size % 256, size % 256, 0, 0], 0); // 0 means 256
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(image.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += image.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...pngs]);
}

const written = [
  ...Object.entries(files).map(([name, [size, layers]]) => [name, render(size, layers)]),
  ...Object.entries(icoFiles).map(([name, pngs]) => [name, ico(pngs)]),
];
for (const [name, data] of written) {
  const path = join(here, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}
process.stdout.write(`wrote ${written.length} icons under ${here}\n`);
