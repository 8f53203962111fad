// Draws the toolbar/store icon (a lens over a switch) at each size into OUT_DIR/icon-N.png.
// One source, rendered by code, so no binary image is kept in the repository.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const [outDir] = process.argv.slice(2);
if (!outDir) throw new Error('usage: node tools/icons.mjs OUT_DIR');
mkdirSync(outDir, { recursive: true });

// Shape in a 1x1 unit square: returns [r,g,b,a] for a point.
function shade(x, y) {
  const inRounded = (px, py, x0, y0, x1, y1, r) => {
    const cx = Math.min(Math.max(px, x0 + r), x1 - r);
    const cy = Math.min(Math.max(py, y0 + r), y1 - r);
    return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
  };
  if (!inRounded(x, y, 0.02, 0.02, 0.98, 0.98, 0.2)) return [0, 0, 0, 0];
  const lens = Math.hypot(x - 0.42, y - 0.42);
  const handle = (() => {
    const t = Math.max(0, Math.min(1, ((x - 0.6) * 0.7071 + (y - 0.6) * 0.7071) / 0.3));
    const px = 0.6 + t * 0.212, py = 0.6 + t * 0.212;
    return Math.hypot(x - px, y - py);
  })();
  if (lens >= 0.22 && lens <= 0.3) return [255, 255, 255, 255];
  if (handle <= 0.065 && lens > 0.28) return [255, 255, 255, 255];
  if (lens < 0.22) {
    // A small switch inside the lens: track and knob.
    if (inRounded(x, y, 0.28, 0.35, 0.56, 0.49, 0.07)) {
      return Math.hypot(x - 0.49, y - 0.42) < 0.055 ? [255, 255, 255, 255] : [222, 64, 52, 255];
    }
    return [220, 232, 245, 255];
  }
  return [10, 102, 194, 255];
}

function png(size) {
  const ss = 4; // supersampling for smooth edges
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++)
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size);
          for (let k = 0; k < 3; k++) acc[k] += c[k] * c[3];
          acc[3] += c[3];
        }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const a = acc[3] / (ss * ss);
      for (let k = 0; k < 3; k++) raw[o + k] = acc[3] ? Math.round(acc[k] / acc[3]) : 0;
      raw[o + 3] = Math.round(a);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

for (const size of [16, 32, 48, 128]) writeFileSync(`${outDir}/icon-${size}.png`, png(size));
